import Datasets
import Foundation

/// One combination of a reproduction: which model of which task, trained how.
public struct RunKey: Codable, Equatable, Hashable, Sendable {
    public var task: String
    public var model: String
    public var budget: Int
    public var seed: Int
    public init(task: String, model: String, budget: Int, seed: Int) {
        self.task = task; self.model = model; self.budget = budget; self.seed = seed
    }
}

/// The scores of one trained model on one observation: a line of runs.jsonl.
public struct RunRecord: Codable, Equatable, Sendable {
    public var key: RunKey
    public var observation: Int
    public var c2st: Double
    public var mmd2: Double
    public var trainMinutes: Double
    public var epochs: Int
    public var bestEpoch: Int
    public var backend: String
    /// What produced the score; nil in records written before sbic recorded it.
    public var provenance: Provenance?

    public init(key: RunKey, observation: Int, c2st: Double, mmd2: Double, trainMinutes: Double, epochs: Int, bestEpoch: Int,
                backend: String, provenance: Provenance? = nil) {
        self.key = key; self.observation = observation; self.c2st = c2st; self.mmd2 = mmd2
        self.trainMinutes = trainMinutes; self.epochs = epochs; self.bestEpoch = bestEpoch; self.backend = backend
        self.provenance = provenance
    }

    enum CodingKeys: String, CodingKey {
        case key, observation, c2st, mmd2, epochs, backend, provenance
        case trainMinutes = "train_minutes", bestEpoch = "best_epoch"
    }

    /// Every complete line; a line cut short by a crash is skipped (and recomputed).
    public static func load(_ path: String) -> [RunRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(RunRecord.self, from: Data($0)) }
    }
}

/// The tables of a reproduction, like the paper's Tables 1–3, written between markers into a
/// Markdown report so that the rest of the report stays as it is.
public struct ResultsReport {
    public static let begin = "<!-- reproduce:begin -->", end = "<!-- reproduce:end -->"

    /// The paper's own numbers (mean ± std) where they are known here.
    static let paper: [String: String] = [
        "c2st two_moons cpvae 10000": "0.644 ± 0.029",
        "c2st two_moons upvae 10000": "0.651 ± 0.031",
    ]

    public var runs: [RunRecord]
    public var command: String
    public init(runs: [RunRecord], command: String) { self.runs = runs; self.command = command }

    public var markdown: String {
        let tasks = unique(runs.map(\.key.task)), models = unique(runs.map(\.key.model))
        let budgets = unique(runs.map(\.key.budget)).sorted()
        var s = "\(Self.begin)\n## Reproducing the paper's tables\n\n"
        s += "Produced by `\(command)`. C2ST and MMD²: mean ± standard deviation over seeds × observations; "
        s += "training time: over seeds. \"paper\" columns hold the paper's numbers where they were available here.\n"
        for (metric, title, value) in [("c2st", "C2ST (0.5 is best)", { (r: RunRecord) in r.c2st }),
                                       ("mmd2", "MMD² (0 is best)", { (r: RunRecord) in r.mmd2 }),
                                       ("minutes", "Training time, minutes", { (r: RunRecord) in r.trainMinutes })] {
            for budget in budgets {
                s += "\n### \(title), \(budget) simulations\n\n| task |"
                s += models.map { " \($0) | paper \($0) |" }.joined() + "\n|---|" + models.map { _ in "---|---|" }.joined() + "\n"
                for task in tasks {
                    s += "| \(task) |"
                    for model in models {
                        var rows = runs.filter { $0.key.task == task && $0.key.model == model && $0.key.budget == budget }
                        // Time belongs to a trained model, not to each observation it was scored on.
                        if metric == "minutes" { rows = unique(rows.map(\.key)).compactMap { k in rows.first { $0.key == k } } }
                        s += " \(summary(rows.map(value), digits: metric == "mmd2" ? 4 : metric == "minutes" ? 2 : 3)) |"
                        s += " \(Self.paper["\(metric) \(task) \(model) \(budget)"] ?? "–") |"
                    }
                    s += "\n"
                }
            }
        }
        return s + Self.end + "\n"
    }

    /// Replaces the section between the markers of `path`, or appends one. A report that
    /// exists but cannot be read as text is an error, not an empty file to write over.
    public func write(into path: String) throws {
        var existing = ""
        if FileManager.default.fileExists(atPath: path) {
            guard let text = String(data: try readFile(path), encoding: .utf8) else {
                throw DataError(file: path, reason: "is not UTF-8 text, so the tables cannot be written into it")
            }
            existing = text
        }
        let text: String
        if let b = existing.range(of: Self.begin), let e = existing.range(of: Self.end), b.lowerBound < e.upperBound {
            var after = existing[e.upperBound...]
            if after.hasPrefix("\n") { after = after.dropFirst() }
            text = existing[..<b.lowerBound] + markdown + after
        } else {
            text = existing + (existing.isEmpty || existing.hasSuffix("\n\n") ? "" : "\n") + markdown
        }
        try AtomicFile.write(Data(text.utf8), to: path)
    }
}

private func unique<T: Hashable>(_ values: [T]) -> [T] {
    var seen = Set<T>()
    return values.filter { seen.insert($0).inserted }
}

private func summary(_ values: [Double], digits: Int) -> String {
    guard !values.isEmpty else { return "–" }
    let mean = values.reduce(0, +) / Double(values.count)
    let std = values.count > 1 ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot() : 0
    return String(format: "%.\(digits)f ± %.\(digits)f", mean, std)
}
