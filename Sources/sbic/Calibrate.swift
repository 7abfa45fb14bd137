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
            Draws -n parameters θ* from the task's prior and data y* from its simulator, or takes \
            held-out pairs (θ*, y*) of your own simulator from --theta and --y (.npy or .csv, one \
            simulation a row, drawn from the prior the model was trained for), samples the model's \
            posterior given each y* (--samples per simulation, all in one batched run), and ranks each \
            θ*ᵢ among its samples. An exact posterior gives uniform ranks and nominal coverage. \
            Writes calibration.svg, calibration.json (per parameter the rank histogram, a χ² test of \
            uniformity and the coverage of central credible intervals at levels 0, 0.05, …, 1) and \
            ranks.csv to --out; prints each parameter's p-value and coverage, or with --json the \
            report, and ends with one line: calibrated, or miscalibrated and in which parameters.

            Where the model has a density (sbic logprob), calibration.json also holds the joint \
            coverage of highest-density regions: the rank of log q(θ* | y*) among the log-densities of \
            the posterior samples. It is exact for models without latent variables. A VAE's density is \
            an IWAE estimate; it is used only when asked, with --density-samples K importance samples \
            per density (each simulation costs K · (--samples + 1) network passes).
            """)

    @Argument(help: "A model directory written by `sbic train`.")
    var model: String

    @Option(help: "Task whose prior and simulator to use (default: the model's task).")
    var task: String?

    @Option(help: "Held-out θ*, one simulation a row (.npy or .csv), with --y; instead of simulating.")
    var theta: String?

    @Option(help: "Held-out y*, the data of each row of --theta (.npy or .csv).")
    var y: String?

    @Option(name: .short, help: "Number of simulations (θ*, y*) to draw from the task.")
    var n = 200

    @Option(help: "Posterior samples per simulation.")
    var samples = 1000

    @Option(help: "For a VAE: importance samples per density (the IWAE bound's K) for the coverage of highest-density regions, which is otherwise skipped.")
    var densitySamples: Int?

    @Option(help: "Rank histogram bins (default: about 20 simulations per bin, 2 to 20 bins).")
    var bins: Int?

    @Option(help: "Seed for the simulations, the posterior samples and rank ties.")
    var seed: UInt64 = 1

    @Option(name: .shortAndLong, help: "Directory for calibration.svg, calibration.json and ranks.csv.")
    var out = "calibration"

    @Flag(help: "Print the whole report as JSON (as calibration.json holds it, with the run's time and files).")
    var json = false

    @OptionGroup var backendOption: BackendOption
    var backend: BackendChoice { backendOption.backend }

    func validate() throws {
        guard n > 0 else { throw ValidationError("-n must be positive") }
        guard samples > 0 else { throw ValidationError("--samples must be positive") }
        guard (theta == nil) == (y == nil) else { throw ValidationError("give both --theta and --y, or neither") }
        guard theta == nil || task == nil else { throw ValidationError("use either --task or --theta/--y, not both") }
        if let densitySamples, densitySamples < 1 { throw ValidationError("--density-samples must be positive") }
        if let bins, bins < 2 || bins > samples + 1 { throw ValidationError("--bins must be between 2 and --samples + 1") }
    }

    func run() throws {
        try reportingErrors("calibrate") {
            let start = Date()
            try requireModelDirectory(model)
            let trained = try TrainedModel.load(from: model)
            let sampler = try inFile(model) { try PosteriorSampler(trained, backend: backend.compiler) }
            var calibration = SimulationBasedCalibration()
            calibration.simulations = n
            calibration.samples = samples
            calibration.bins = bins
            calibration.seed = seed
            calibration.threads = ProcessInfo.processInfo.activeProcessorCount
            let posterior: SimulationBasedCalibration.Posterior = { observations, count, seed in
                try sampler.sample(observations, count: count, seed: seed).map(\.samples)
            }
            let (density, densityNote) = try highestDensityInput(trained)
            calibration.density = density
            let report: CalibrationReport, source: String
            if let theta, let y {
                let thetaFile = try DataFile.read(theta), yFile = try DataFile.read(y)
                for (file, columns, variable) in [(thetaFile, sampler.parameterDimension, "θ"), (yFile, sampler.observationDimension, "y")] {
                    guard file.matrix.rows > 0 else { throw file.error("holds no simulations") }
                    guard file.matrix.columns == columns else {
                        throw file.error("has \(file.matrix.columns) columns; the model's \(variable) has \(columns)")
                    }
                }
                guard thetaFile.matrix.rows == yFile.matrix.rows else {
                    throw yFile.error("has \(yFile.matrix.rows) rows, but \(theta) has \(thetaFile.matrix.rows); "
                                      + "the files must hold the same simulations, one a row")
                }
                try checkWritable(out, needing: 1 << 20)
                calibration.simulations = thetaFile.matrix.rows
                source = "\(theta), \(y)"
                report = try calibration.run(theta: thetaFile.matrix, y: yFile.matrix, names: trained.thetaNames,
                                             source: source, posterior: posterior)
            } else {
                guard let name = task ?? trained.task else {
                    throw ValidationError("the model names no task: give --task, or held-out simulations with --theta and --y")
                }
                let simulator = try Simulators.named(name)
                guard sampler.parameterDimension == simulator.parameterDimension,
                      sampler.observationDimension == simulator.observationDimension else {
                    throw DataError(file: model, reason: "the model maps \(sampler.observationDimension) data values to "
                                    + "\(sampler.parameterDimension) parameters; \(name) has \(simulator.observationDimension) and "
                                    + "\(simulator.parameterDimension)")
                }
                try checkWritable(out, needing: 1 << 20)
                source = name
                report = try calibration.run(simulator, posterior: posterior)
            }

            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            try AtomicFile.write(try encoder.encode(report) + Data("\n".utf8), to: out + "/calibration.json")
            let ranks = try Matrix(rowArrays: report.ranks.map { $0.map(Double.init) })
            try writeMatrix(ranks, to: out + "/ranks.csv", header: report.dimensions.map(\.name))
            let title = "\(trained.graph.name) on \(source): \(report.simulations) simulations, ranks among \(report.rankMaximum) samples"
            try calibrationPlot(report, title: title).write(to: out + "/calibration.svg")
            let written = ["calibration.svg", "calibration.json", "ranks.csv"].map { out + "/" + $0 }

            if json {
                // The printed object adds what depends on the run, not on the data: where and how long.
                var printed = try JSONSerialization.jsonObject(with: try encoder.encode(report)) as? [String: Any] ?? [:]
                printed["model"] = model
                printed["seconds"] = Date().timeIntervalSince(start)
                printed["written"] = written
                let text = try JSONSerialization.data(withJSONObject: printed, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
                print(String(decoding: text, as: UTF8.self))
                return
            }
            print("\(report.simulations) simulations (\(report.simulationsDropped) dropped as non-finite) of \(source), "
                  + "ranks among \(report.rankMaximum) samples in \(report.bins) bins")
            let half = Coverage.levels.firstIndex(of: 0.5)!
            let width = max(report.dimensions.map(\.name.count).max() ?? 0, 9)
            print("parameter".padding(toLength: width, withPad: " ", startingAt: 0) + "    p-value   50 % coverage")
            for dimension in report.dimensions {
                print(dimension.name.padding(toLength: width, withPad: " ", startingAt: 0)
                      + String(format: " %10.3g %14.2f", dimension.pValue, dimension.coverage[half]))
            }
            if let hdr = report.highestDensity {
                print(String(format: "highest-density regions (joint; density %@): p-value %.3g, the 50 %% region holds %.2f",
                             hdr.density, hdr.pValue, hdr.coverage[half]))
            } else if let densityNote {
                print(densityNote)
            }
            print("wrote " + written.joined(separator: ", "))
            print(report.verdict)
        }
    }
}

extension Calibrate {
    /// The density that highest-density coverage ranks by, or why there is none: exact for a
    /// model without latent variables; for a VAE the IWAE bound, only with --density-samples,
    /// since it costs K network passes per density and its noise and bias (below log q, by an
    /// amount that varies with θ) blur the ranks.
    func highestDensityInput(_ trained: TrainedModel) throws -> (SimulationBasedCalibration.Density?, String?) {
        let density: PosteriorDensity
        do { density = try PosteriorDensity(trained, backend: backend.compiler) } catch let error as TrainingError {
            return (nil, "highest-density regions: skipped; \(error.description)")
        }
        let samples: Int
        if density.isExact {
            samples = 1
        } else if let densitySamples {
            samples = densitySamples
        } else {
            return (nil, "highest-density regions: skipped; this model's density is an IWAE estimate (it has latent variables): "
                + "give --density-samples K to rank by it")
        }
        let seed = self.seed
        let name = density.isExact ? "exact" : "IWAE lower bound, K = \(samples)"
        return ((name, { theta, y in try density.logDensity(of: theta, given: y, samples: samples, seed: seed) }), nil)
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
