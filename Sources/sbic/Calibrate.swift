import ArgumentParser
import Calibration
import Datasets
import Foundation
import Plots
import Simulators
import Training

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulation-based calibration of a trained model (Talts et al. 2018).",
        discussion: """
            Draws -n parameters θ* from the task's prior and data y* from its simulator, samples \
            the model's posterior given each y* (--samples per simulation, all in one batched run), \
            and ranks each θ*ᵢ among its samples. An exact posterior gives uniform ranks and \
            nominal coverage. Prints one JSON object: per parameter the rank histogram, a χ² test \
            of uniformity (p_value) and the coverage of central credible intervals at levels \
            0, 0.05, …, 1. Writes calibration.svg, calibration.json and ranks.csv to --out.
            """)

    @Argument(help: "A model directory written by `sbic train`.")
    var model: String

    @Option(help: "Task whose prior and simulator to use (default: the model's task).")
    var task: String?

    @Option(name: .short, help: "Number of simulations (θ*, y*).")
    var n = 200

    @Option(help: "Posterior samples per simulation.")
    var samples = 1000

    @Option(help: "Rank histogram bins (default: about 20 simulations per bin, 2 to 20 bins).")
    var bins: Int?

    @Option(help: "Seed for the simulations, the posterior samples and rank ties.")
    var seed: UInt64 = 1

    @Option(name: .shortAndLong, help: "Directory for calibration.svg, calibration.json and ranks.csv.")
    var out = "calibration"

    @OptionGroup var backendOption: BackendOption
    var backend: BackendChoice { backendOption.backend }

    func validate() throws {
        guard n > 0 else { throw ValidationError("-n must be positive") }
        guard samples > 0 else { throw ValidationError("--samples must be positive") }
        if let bins, bins < 2 || bins > samples + 1 { throw ValidationError("--bins must be between 2 and --samples + 1") }
    }

    func run() throws {
        try reportingErrors("calibrate") {
            let start = Date()
            let trained = try TrainedModel.load(from: model)
            guard let name = task ?? trained.graph.metadata["task"] else { throw ValidationError("the model names no task: give --task") }
            let simulator = try Simulators.named(name)
            let sampler = try PosteriorSampler(trained, backend: backend.compiler)
            guard sampler.parameterDimension == simulator.parameterDimension,
                  sampler.observationDimension == simulator.observationDimension else {
                throw DataError(file: model, reason: "the model maps \(sampler.observationDimension) data values to "
                                + "\(sampler.parameterDimension) parameters; \(name) has \(simulator.observationDimension) and "
                                + "\(simulator.parameterDimension)")
            }
            try checkWritable(out, needing: 1 << 20)
            var calibration = SimulationBasedCalibration()
            calibration.simulations = n
            calibration.samples = samples
            calibration.bins = bins
            calibration.seed = seed
            calibration.threads = ProcessInfo.processInfo.activeProcessorCount
            let report = try calibration.run(simulator) { observations, count, seed in
                try sampler.sample(observations, count: count, seed: seed).map(\.samples)
            }

            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            try AtomicFile.write(try encoder.encode(report) + Data("\n".utf8), to: out + "/calibration.json")
            let ranks = try Matrix(rowArrays: report.ranks.map { $0.map(Double.init) })
            try writeMatrix(ranks, to: out + "/ranks.csv", header: simulator.parameterNames)
            let title = "\(trained.graph.name) on \(name): \(report.simulations) simulations, ranks among \(report.rankMaximum) samples"
            try calibrationPlot(report, title: title).write(to: out + "/calibration.svg")

            // The printed object adds what depends on the run, not on the data: where and how long.
            var printed = try JSONSerialization.jsonObject(with: try encoder.encode(report)) as? [String: Any] ?? [:]
            printed["model"] = model
            printed["seconds"] = Date().timeIntervalSince(start)
            printed["written"] = ["calibration.svg", "calibration.json", "ranks.csv"].map { out + "/" + $0 }
            let json = try JSONSerialization.data(withJSONObject: printed, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            print(String(decoding: json, as: UTF8.self))
        }
    }
}

/// The calibration report as a figure: its statistics, in the shapes the plot takes.
func calibrationPlot(_ report: CalibrationReport, title: String) throws -> SVG {
    let dimensions = report.dimensions.map {
        CalibrationPlot.Dimension(name: $0.name, rankHistogram: $0.rankHistogram, pValue: $0.pValue, coverage: $0.coverage)
    }
    let bandLevel = 0.95
    return try CalibrationPlot(
        dimensions: dimensions, rankMaximum: report.rankMaximum,
        band: (report.band.lower, report.band.upper, report.band.expected, report.band.level),
        levels: report.credibilityLevels,
        coverageBand: Coverage.band(simulations: report.simulations, levels: report.credibilityLevels, level: bandLevel),
        coverageBandLevel: bandLevel, title: title).render()
}
