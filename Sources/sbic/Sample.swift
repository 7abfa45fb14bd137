import ArgumentParser
import Datasets
import Foundation
import Simulators
import Training

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw posterior samples from a trained model.",
        discussion: """
            Observations come from a file (--observation FILE: .csv or .npy, one observation a row), \
            from the command line (--observation "0.1,0.2"), or from sbibm's reference data (--task, \
            --obs). One observation gives one table of -n rows. Several give one file: a .npy of shape \
            (observations, n, parameters), or a CSV whose first column, observation, holds the --obs \
            number or the row. A corner plot (--plot) is drawn for each observation: c.svg becomes \
            c_1.svg, c_2.svg, …

            Seeds: without --seed, a fresh seed is drawn and printed, so that two runs draw different \
            samples, whose files can be concatenated. --seed S repeats a run exactly; with the same \
            seed, -n 3 gives the first 3 samples of -n 5.

            With --within-prior, draws outside the support of the prior are rejected and drawing goes \
            on until -n samples lie inside it: the prior the model was trained with (sbic train \
            --prior), else that of its built-in task, or of --task.

            Each parameter's mean, standard deviation and 5, 50 and 95 % quantiles are printed after \
            sampling (for the first \(Self.summarizedObservations) observations).
            """)

    /// Observations whose statistics are printed; beyond these, only the summary line.
    static let summarizedObservations = 5

    @Argument(help: "A model directory written by `sbic train`.")
    var model: String

    @Option(help: "Observations: a file (.csv or .npy, one observation a row), or one observation's values, comma-separated.")
    var observation: String?

    @Option(help: "The built-in task whose reference observations --obs takes, and whose prior --within-prior takes (default: the model's task).")
    var task: String?

    @Option(help: "sbibm observation numbers, e.g. 1 or 1,3 or 1-5.", transform: parseNumbers)
    var obs: [Int]?

    @Option(name: .short, help: "Samples per observation.")
    var n = 10_000

    @Option(name: .shortAndLong, help: "Output file: .csv or .npy.")
    var out = "samples.csv"

    @Option(help: "Also draw a corner plot of each observation's samples (.svg), numbered when there are several.")
    var plot: String?

    @Flag(help: "Reject draws outside the support of the prior.")
    var withinPrior = false

    @Option(help: "Seed for the sampling noise (default: a fresh one, printed).")
    var seed: UInt64?

    @Option(help: "Threads drawing samples, each running its own copy of the sample program (default: every core; fewer when fewer runs of the program give -n samples). The samples do not depend on it.")
    var sampleThreads: Int?

    @OptionGroup var backendOption: BackendOption
    var backend: BackendChoice { backendOption.backend }

    func validate() throws {
        guard (observation == nil) != (obs == nil) else { throw ValidationError("give --observation FILE, or --obs N (with --task)") }
        guard n > 0 else { throw ValidationError("-n must be positive") }
        if let sampleThreads, !(1...64).contains(sampleThreads) { throw ValidationError("--sample-threads must be between 1 and 64") }
        if let plot { try requireSVG(plot) }
        guard ["csv", "npy"].contains(URL(fileURLWithPath: out).pathExtension.lowercased()) else {
            throw ValidationError("--out must name a .csv or .npy file")
        }
    }

    func run() throws {
        try reportingErrors("sample") {
            try requireModelDirectory(model)
            let trained = try TrainedModel.load(from: model)
            let sampler = try inFile(model) { try PosteriorSampler(trained, backend: backend.compiler, threads: sampleThreads) }
            let observations: Matrix, labels: [Int]
            var sbibmTask: String?
            if let observation {
                observations = try readObservations(observation, columns: sampler.observationDimension)
                labels = Array(1...observations.rows)
            } else {
                guard let name = task ?? trained.task else { throw ValidationError("the model names no task: give --task") }
                let rows = try obs!.map { try SBIBM.observation(task: name, number: $0).rowArray(0) }
                observations = try Matrix(rowArrays: rows)
                labels = obs!
                sbibmTask = name
            }
            var support: ((ArraySlice<Double>) -> Bool)?
            if withinPrior {
                let prior: Prior?
                do { prior = try trained.prior(task: task) } catch let error as TrainingError {
                    throw ValidationError("--within-prior: \(error.description)")
                }
                guard let prior else {
                    throw ValidationError("--within-prior: the model has no prior; train it with --prior FILE, or name its task with --task")
                }
                support = prior.contains
            }
            let seed = self.seed ?? UInt64.random(in: 0...UInt64.max)
            let start = Date()
            let samples = try sampler.sample(observations, count: n, seed: seed, within: support)
            let seconds = Date().timeIntervalSince(start)
            let names = trained.thetaNames
            try writeSamples(samples.map(\.samples), labels: labels, names: names)
            let d = sampler.parameterDimension
            if samples.count == 1 {
                print("wrote \(n) samples of \(d) parameters to \(out) (seed \(seed))")
            } else {
                let shape = out.lowercased().hasSuffix(".npy") ? "an array of shape (\(samples.count), \(n), \(d))"
                                                               : "a table with an observation column"
                print("wrote \(samples.count) × \(n) samples of \(d) parameters to \(out), \(shape) (seed \(seed))")
            }
            if withinPrior {
                let draws = samples.reduce(0) { $0 + $1.draws }
                print(String(format: "  kept %d of %d draws inside the prior's support (%.1f %%)",
                             n * samples.count, draws, 100 * Double(n * samples.count) / Double(draws)))
            }
            for (label, drawn) in zip(labels, samples).prefix(Self.summarizedObservations) {
                print(summaryTable(drawn.samples, names: names, title: samples.count == 1 ? "" : "observation \(label)"))
            }
            if samples.count > Self.summarizedObservations {
                print("(statistics of the first \(Self.summarizedObservations) of \(samples.count) observations)")
            }
            if let plot {
                for (label, drawn) in zip(labels, samples) {
                    let figure = numberedPath(plot, label: label, of: samples.count)
                    try plotSamples(drawn.samples, names: names, sbibmTask: sbibmTask, observation: label, to: figure)
                    print("wrote \(figure)")
                }
            }
            print(String(format: "%.1f ms for %d samples", seconds * 1000, n * samples.count))
        }
    }
}

/// The observations of --observation: a file, or one observation's values inline.
func readObservations(_ text: String, columns: Int) throws -> Matrix {
    guard ["csv", "npy"].contains(URL(fileURLWithPath: text).pathExtension.lowercased()) else {
        guard let values = try? parseValues(text), !values.isEmpty else {
            throw ValidationError("--observation \"\(text)\" is neither a .csv or .npy file nor comma-separated numbers")
        }
        guard values.count == columns else {
            throw ValidationError("--observation has \(values.count) values; the model expects \(columns)")
        }
        return try Matrix(rows: 1, columns: columns, values: values)
    }
    let file = try readDataFiles([text])[0]
    guard file.matrix.rows > 0 else { throw file.error("holds no observation") }
    guard file.matrix.columns == columns else {
        throw file.error("has \(file.matrix.columns) columns; the model expects \(columns)")
    }
    if let at = file.firstNonFinite {
        throw file.error(row: at.row, column: at.column, "\(file.matrix[at.row, at.column]): an observation must be finite")
    }
    return file.matrix
}

extension Sample {
    /// One observation's samples as a table; several as one (observations, n, d) array or
    /// one table with an observation column first.
    private func writeSamples(_ samples: [Matrix], labels: [Int], names: [String]) throws {
        guard samples.count > 1 else { return try writeMatrix(samples[0], to: out, header: names) }
        let d = names.count
        if out.lowercased().hasSuffix(".npy") {
            let all = try Matrix(rows: samples.count * n, columns: d, values: samples.flatMap(\.values))
            try NPY.write(all, to: out, as: .float32, shape: [samples.count, n, d])
            return
        }
        var long = Matrix(rows: samples.count * n, columns: d + 1)
        for (k, (label, matrix)) in zip(labels, samples).enumerated() {
            for r in 0..<n {
                let row = k * n + r
                long.values[row * (d + 1)] = Double(label)
                for j in 0..<d { long.values[row * (d + 1) + 1 + j] = matrix.values[r * d + j] }
            }
        }
        try CSV.write(long, to: out, header: ["observation"] + names)
    }
}

/// Each parameter's mean, standard deviation and 5, 50 and 95 % quantiles, one line each.
func summaryTable(_ samples: Matrix, names: [String], title: String) -> String {
    let width = max(title.count, names.map(\.count).max() ?? 0, 9)
    func cell(_ text: String) -> String { String(repeating: " ", count: max(0, 11 - text.count)) + text }
    var lines = [title.padding(toLength: width, withPad: " ", startingAt: 0)
                 + ["mean", "sd", "5%", "50%", "95%"].map(cell).joined()]
    for (j, name) in names.enumerated() {
        let column = samples.column(j)
        let mean = column.reduce(0, +) / Double(column.count)
        let variance = column.count > 1 ? column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count - 1) : 0
        let sorted = column.sorted()
        let values = [mean, variance.squareRoot()] + [0.05, 0.5, 0.95].map { quantile(sorted: sorted, $0) }
        lines.append(name.padding(toLength: width, withPad: " ", startingAt: 0)
                     + values.map { cell(String(format: "%.4g", $0)) }.joined())
    }
    return lines.joined(separator: "\n")
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

/// Refuses a file named where a model directory is wanted, saying what the file is and what
/// to do with it.
func requireModelDirectory(_ path: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return }
    let what: String
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "json": what = "a spec"
    case "sbig": what = "a compiled graph"
    case let other: what = other.isEmpty ? "a file" : "a .\(other) file"
    }
    let advice = what == "a spec" || what == "a compiled graph" ? "; train it first: sbic train \(path) --out MODEL" : ""
    throw DataError(file: path, reason: "is \(what), not a model directory (the output of sbic train)\(advice)")
}
