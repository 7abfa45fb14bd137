import ArgumentParser
import Datasets
import Foundation
import Simulators
import Training

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw posterior samples from a trained model.",
        discussion: """
            Observations come from a file (--observation: .csv or .npy, one observation a row) or from \
            sbibm's reference data (--task, --obs). With several observations, each gets its own file: \
            samples.csv becomes samples_1.csv, samples_2.csv, … (numbered by --obs, or by row). \
            With --within-prior, draws outside the support of the built-in task's prior are rejected \
            and drawing goes on until -n samples lie inside it.
            """)

    @Argument(help: "A model directory written by `sbic train`.")
    var model: String

    @Option(help: "Observation file (.csv or .npy), one observation a row.")
    var observation: String?

    @Option(help: "The built-in task whose reference observations --obs takes, and whose prior --within-prior takes (default: the model's task).")
    var task: String?

    @Option(help: "sbibm observation numbers, e.g. 1 or 1,3 or 1-5.", transform: parseNumbers)
    var obs: [Int]?

    @Option(name: .short, help: "Samples per observation.")
    var n = 10_000

    @Option(name: .shortAndLong, help: "Output file: .csv or .npy.")
    var out = "samples.csv"

    @Option(help: "Also draw a corner plot of each observation's samples (.svg), numbered like the sample files.")
    var plot: String?

    @Flag(help: "Reject draws outside the support of the task's prior.")
    var withinPrior = false

    @Option(help: "Seed for the sampling noise.")
    var seed: UInt64 = 1

    @OptionGroup var backendOption: BackendOption
    var backend: BackendChoice { backendOption.backend }

    func validate() throws {
        guard (observation == nil) != (obs == nil) else { throw ValidationError("give --observation FILE, or --obs N (with --task)") }
        guard n > 0 else { throw ValidationError("-n must be positive") }
        if let plot { try requireSVG(plot) }
        guard ["csv", "npy"].contains(URL(fileURLWithPath: out).pathExtension.lowercased()) else {
            throw ValidationError("--out must name a .csv or .npy file")
        }
    }

    func run() throws {
        try reportingErrors("sample") {
            let trained = try TrainedModel.load(from: model)
            let sampler = try inFile(model) { try PosteriorSampler(trained, backend: backend.compiler) }
            let observations: Matrix, labels: [Int]
            var sbibmTask: String?
            if let observation {
                let file = try DataFile.read(observation)
                guard file.matrix.rows > 0 else { throw file.error("holds no observation") }
                guard file.matrix.columns == sampler.observationDimension else {
                    throw file.error("has \(file.matrix.columns) columns; the model expects \(sampler.observationDimension)")
                }
                if let at = file.firstNonFinite {
                    throw file.error(row: at.row, column: at.column, "\(file.matrix[at.row, at.column]): an observation must be finite")
                }
                observations = file.matrix
                labels = Array(1...observations.rows)
            } else {
                guard let name = task ?? trained.graph.metadata["task"] else { throw ValidationError("the model names no task: give --task") }
                let rows = try obs!.map { try SBIBM.observation(task: name, number: $0).rowArray(0) }
                observations = try Matrix(rowArrays: rows)
                labels = obs!
                sbibmTask = name
            }
            var support: ((ArraySlice<Double>) -> Bool)?
            if withinPrior {
                guard let name = task ?? trained.graph.metadata["task"] else {
                    throw ValidationError("the model names no task: give --task for --within-prior")
                }
                let simulator = try Simulators.named(name)
                guard simulator.parameterDimension == sampler.parameterDimension else {
                    throw ValidationError("--within-prior: \(name) has \(simulator.parameterDimension) parameters; "
                                          + "the model draws \(sampler.parameterDimension)")
                }
                support = simulator.prior.contains
            }
            let start = Date()
            let samples = try sampler.sample(observations, count: n, seed: seed, within: support)
            let seconds = Date().timeIntervalSince(start)
            let header = trained.thetaNames
            for (label, drawn) in zip(labels, samples) {
                let path = numberedPath(out, label: label, of: samples.count)
                let matrix = drawn.samples
                try writeMatrix(matrix, to: path, header: header)
                print("wrote \(n) samples to \(path)")
                if withinPrior {
                    print(String(format: "  kept %d of %d draws inside the prior's support (%.1f %%)",
                                 n, drawn.draws, 100 * drawn.acceptance))
                }
                if let plot {
                    let figure = numberedPath(plot, label: label, of: samples.count)
                    try plotSamples(matrix, names: header, sbibmTask: sbibmTask, observation: label, to: figure)
                    print("wrote \(figure)")
                }
            }
            print(String(format: "%.1f ms for %d samples", seconds * 1000, n * samples.count))
        }
    }
}

/// "3", "1,3", "1-5" → observation numbers.
func parseNumbers(_ text: String) throws -> [Int] {
    // Empty pieces are kept, so that "1,,3", "1,-3", "5-" and "1--3" are refused rather than read.
    try text.split(separator: ",", omittingEmptySubsequences: false).flatMap { part -> [Int] in
        let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        switch bounds.count {
        case 1: if let a = bounds[0], a > 0 { return [a] }
        // sbibm has ten observations per task; a range of billions is a typing mistake.
        case 2: if let a = bounds[0], let b = bounds[1], a > 0, a <= b, b - a < 10_000 { return Array(a...b) }
        default: break
        }
        throw ValidationError("\"\(text)\" is not a list of observation numbers such as 1,3 or 1-5")
    }
}
