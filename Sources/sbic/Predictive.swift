import ArgumentParser
import Datasets
import Foundation
import Plots
import Random
import Simulators

struct Predictive: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plot Hodgkin–Huxley voltage traces simulated at posterior samples (SVG).",
        discussion: """
            Simulates the membrane potential at the first -n posterior samples (blue) and, with \
            --truth, at the true parameters (black), with the stimulus interval shaded. The subtitle \
            compares their spike counts, the first summary statistic. Samples are θ = (C_m, g_Na, \
            g_K, g_L, E_Na, E_K, E_L), as `sbic sample` writes them for a hodgkin_huxley model.
            """)

    @Argument(help: "Posterior samples (.csv or .npy) of a hodgkin_huxley model, one sample a row.")
    var samples: String

    @Option(help: "True parameters, comma-separated (7 values), for the observed trace.", transform: parseValues)
    var truth: [Double]?

    @Option(name: .short, help: "Number of posterior samples to simulate.")
    var n = 20

    @Option(help: "Seed for the simulations' voltage noise.")
    var seed: UInt64 = 1

    @Option(help: "Title above the plot.")
    var title = "Hodgkin–Huxley posterior predictive"

    @Option(name: .shortAndLong, help: "Output file (.svg).")
    var out = "predictive.svg"

    func validate() throws {
        guard n > 0 else { throw ValidationError("-n must be positive") }
        if let truth, truth.count != 7 { throw ValidationError("--truth needs the 7 parameters of hodgkin_huxley, not \(truth.count)") }
        try requireSVG(out)
    }

    func run() throws {
        try reportingErrors("predictive") {
            let posterior = try readMatrix(samples)
            let simulator = HodgkinHuxley()
            guard posterior.columns == simulator.parameterDimension else {
                throw DataError(file: samples, reason: "has \(posterior.columns) columns; hodgkin_huxley has 7 parameters (\(simulator.parameterNames.joined(separator: ", ")))")
            }
            guard posterior.rows > 0 else { throw DataError(file: samples, reason: "holds no sample") }
            // Each trace draws its noise from its own substream, so trace i is the same for any -n.
            let noise = RandomStream(seed: seed, stream: "predictive")
            let traces = (0..<min(n, posterior.rows)).map { i in
                var rng = noise.substream(UInt64(i))
                return simulator.trace(posterior.rowArray(i), &rng).voltage
            }
            let observed = truth.map { theta in
                var rng = RandomStream(seed: seed, stream: "observed")
                return simulator.trace(theta, &rng).voltage
            }
            let interval = HodgkinHuxley.duration / Double(HodgkinHuxley.sampleCount - 1)
            var figure = PredictiveTraces(time: (0..<HodgkinHuxley.sampleCount).map { Double($0) * interval },
                                          simulated: traces, observed: observed, xLabel: "time (ms)",
                                          yLabel: "membrane potential (mV)")
            figure.title = title
            figure.subtitle = spikeSummary(simulated: traces, observed: observed)
            figure.shaded = (HodgkinHuxley.stimulusOn, HodgkinHuxley.stimulusOff,
                             "stimulus \(SVG.number(HodgkinHuxley.stimulusCurrent)) µA/cm²")
            try figure.render().write(to: out)
            print("wrote \(out) (\(traces.count) simulated traces\(observed == nil ? "" : " and the observed one"))")
        }
    }
}

/// "spikes: observed 7; simulated median 7, range 5–9".
private func spikeSummary(simulated: [[Double]], observed: [Double]?) -> String {
    let counts = simulated.map(HodgkinHuxley.spikeCount).sorted()
    var parts: [String] = []
    if let observed { parts.append("observed \(HodgkinHuxley.spikeCount(observed))") }
    if let first = counts.first, let last = counts.last {
        parts.append("simulated median \(counts[counts.count / 2]), range \(first)–\(last)")
    }
    return "spikes: " + parts.joined(separator: "; ")
}
