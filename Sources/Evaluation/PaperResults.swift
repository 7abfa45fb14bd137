import Datasets
import Foundation

/// The paper's Tables 1–3: every method's C2ST, MMD and training minutes (mean and standard
/// deviation over its five runs) per task and simulation budget, read from the repository's
/// copy of them, docs/reproduction/paper/results.csv (`task,simulations,method,metric,mean,std`).
public struct PaperResults: Equatable, Sendable {
    public enum Metric: String, CaseIterable, Sendable {
        case c2st, mmd
        case trainMinutes = "train_minutes"
    }

    public struct Value: Equatable, Sendable {
        public var mean: Double
        public var std: Double
        public init(mean: Double, std: Double) { self.mean = mean; self.std = std }
    }

    struct Key: Hashable, Sendable {
        var task: String, budget: Int, method: String, metric: Metric
    }

    /// The paper's names of its own two models, by sbic's model names.
    public static let vaeMethods = ["cpvae": "CP-VAE", "upvae": "UP-VAE"]
    public static let header = ["task", "simulations", "method", "metric", "mean", "std"]

    /// In the order of their first row in the file.
    public private(set) var tasks: [String] = []
    public private(set) var budgets: [Int] = []
    public private(set) var methods: [String] = []
    private var values: [Key: Value] = [:]

    /// Every row is checked: six fields, a positive number of simulations, a known metric, a
    /// finite mean, a finite std ≥ 0, and no (task, simulations, method, metric) twice. Errors
    /// name the file and the row.
    public init(csv data: Data, file: String) throws {
        let (header, rows) = try CSV.records(data, file: file)
        guard header == Self.header else {
            throw DataError(file: file, row: 1, reason: "the header is \(header.joined(separator: ",")), expected "
                                + Self.header.joined(separator: ","))
        }
        var lines: [Key: Int] = [:]
        for row in rows {
            let f = row.fields
            func fail(_ column: Int, _ reason: String) -> DataError {
                DataError(file: file, row: row.line, column: column, reason: reason)
            }
            guard !f[0].isEmpty else { throw fail(1, "the task is empty") }
            guard let budget = Int(f[1]), budget > 0 else { throw fail(2, "\"\(f[1])\" is not a positive number of simulations") }
            guard !f[2].isEmpty else { throw fail(3, "the method is empty") }
            guard let metric = Metric(rawValue: f[3]) else {
                throw fail(4, "\"\(f[3])\" is not a metric; the metrics are " + Metric.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let mean = Double(f[4]), mean.isFinite else { throw fail(5, "\"\(f[4])\" is not a finite number") }
            guard let std = Double(f[5]), std.isFinite, std >= 0 else { throw fail(6, "\"\(f[5])\" is not a standard deviation") }
            let key = Key(task: f[0], budget: budget, method: f[2], metric: metric)
            if let earlier = lines[key] {
                throw DataError(file: file, row: row.line, reason: "\(f[0]), \(budget), \(f[2]), \(f[3]) is given again (first in row \(earlier))")
            }
            lines[key] = row.line
            values[key] = Value(mean: mean, std: std)
            if !tasks.contains(f[0]) { tasks.append(f[0]) }
            if !budgets.contains(budget) { budgets.append(budget) }
            if !methods.contains(f[2]) { methods.append(f[2]) }
        }
    }

    public static func load(_ path: String) throws -> PaperResults {
        try PaperResults(csv: try readFile(path), file: path)
    }

    /// docs/reproduction/paper/results.csv in the current directory, else in the package that
    /// holds this source file.
    public static func repositoryCopy(sourceFile: String = #filePath) -> String {
        let relative = "docs/reproduction/paper/results.csv"
        if FileManager.default.fileExists(atPath: relative) { return relative }
        // <package>/Sources/Evaluation/PaperResults.swift
        return URL(fileURLWithPath: sourceFile).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative).path
    }

    public func value(task: String, budget: Int, method: String, metric: Metric) -> Value? {
        values[Key(task: task, budget: budget, method: method, metric: metric)]
    }

    /// The best of the paper's methods other than its two VAEs: the C2ST closest to 0.5, the
    /// smallest MMD, the fewest minutes; of equal ones, the first in the file.
    public func bestOther(task: String, budget: Int, metric: Metric) -> (method: String, value: Value)? {
        var best: (method: String, value: Value)?
        for method in methods where !Self.vaeMethods.values.contains(method) {
            guard let v = value(task: task, budget: budget, method: method, metric: metric) else { continue }
            if best == nil || Self.distance(v.mean, metric) < Self.distance(best!.value.mean, metric) { best = (method, v) }
        }
        return best
    }

    /// How far a score is from the best possible one.
    private static func distance(_ mean: Double, _ metric: Metric) -> Double {
        switch metric {
        case .c2st: return abs(mean - 0.5)
        case .mmd, .trainMinutes: return mean
        }
    }
}
