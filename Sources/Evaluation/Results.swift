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
    /// CPU minutes of training (see TrainingSummary.cpuSeconds); nil in older records.
    public var trainCPUMinutes: Double?
    public var epochs: Int
    public var bestEpoch: Int
    public var backend: String
    /// What produced the score; nil in records written before sbic recorded it.
    public var provenance: Provenance?

    public init(key: RunKey, observation: Int, c2st: Double, mmd2: Double, trainMinutes: Double, trainCPUMinutes: Double? = nil,
                epochs: Int, bestEpoch: Int, backend: String, provenance: Provenance? = nil) {
        self.key = key; self.observation = observation; self.c2st = c2st; self.mmd2 = mmd2
        self.trainMinutes = trainMinutes; self.trainCPUMinutes = trainCPUMinutes; self.epochs = epochs; self.bestEpoch = bestEpoch; self.backend = backend
        self.provenance = provenance
    }

    enum CodingKeys: String, CodingKey {
        case key, observation, c2st, mmd2, epochs, backend, provenance
        case trainMinutes = "train_minutes", trainCPUMinutes = "train_cpu_minutes", bestEpoch = "best_epoch"
    }

    /// Every complete line; a line cut short by a crash is skipped (and recomputed).
    public static func load(_ path: String) -> [RunRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(RunRecord.self, from: Data($0)) }
    }
}

/// The tables of a reproduction beside the paper's Tables 1–3, written between markers into a
/// Markdown report so that the rest of the report stays as it is. The paper's numbers are read
/// from `paperResults` (docs/reproduction/paper/results.csv).
public struct ResultsReport {
    public static let begin = "<!-- reproduce:begin -->", end = "<!-- reproduce:end -->"

    public var runs: [RunRecord]
    public var command: String
    /// The file of the paper's numbers.
    public var paperResults = PaperResults.repositoryCopy()
    public init(runs: [RunRecord], command: String) { self.runs = runs; self.command = command }

    /// The metrics of the tables: how a run gives it, how the paper names it, and its title.
    private static let metrics: [(metric: PaperResults.Metric, title: String, digits: Int, note: String)] = [
        (.c2st, "C2ST (0.5 is best)", 3, ""),
        (.mmd, "MMD (0 is best)", 4,
         "sbic's columns are sbibm's MMD²; the paper's came from BayesFlow's implementation, whose kernel scale is "
            + "another: compare MMD within a column, not across tools.\n\n"),
        (.trainMinutes, "Training time, minutes", 2,
         "sbic: CPU minutes of training, one thread per run, on the CPU named in the result files: the time the "
            + "training process ran, which other work on a shared machine hardly changes, unlike wall-clock time "
            + "(also in the result files, `train_minutes`). The paper: minutes on a Tesla T4 GPU. sbic's spread is "
            + "over seeds.\n\n"),
    ]

    private static func score(_ r: RunRecord, _ metric: PaperResults.Metric) -> Double {
        switch metric {
        case .c2st: return r.c2st
        case .mmd: return r.mmd2
        case .trainMinutes: return r.trainCPUMinutes ?? r.trainMinutes
        }
    }

    public func markdown() throws -> String {
        let paper = try PaperResults.load(paperResults)
        let budgets = Set(paper.budgets + runs.map(\.key.budget)).sorted()
        let vaes = ["cpvae", "upvae"]
        let others = paper.methods.filter { !PaperResults.vaeMethods.values.contains($0) }
        var s = "\(Self.begin)\n## Reproducing the paper's tables\n\n"
        s += "Produced by `\(command)`. "
        s += "sbic: mean ± standard deviation over seeds × observations, \"–\" where there is no run yet. "
        s += "paper: its Tables 1–3, mean ± standard deviation over five runs (docs/reproduction/paper/results.csv); "
        s += "\"paper, best other\" is the best at that budget of its other methods (\(others.joined(separator: ", "))).\n"
        for (metric, title, digits, note) in Self.metrics {
            for budget in budgets {
                let here = runs.filter { $0.key.budget == budget }
                let tasks = unique((paper.budgets.contains(budget) ? paper.tasks : []) + here.map(\.key.task))
                s += "\n### \(title), \(grouped(budget)) simulations\n\n" + note + coverage(here) + "\n\n"
                // sbic's best spec beyond the paper's per task, chosen by C2ST in every table, so
                // that one model's C2ST, MMD and minutes stand in the same column.
                let mine = bestOtherSpecs(here)
                s += "| task | sbic CP-VAE | paper CP-VAE | sbic UP-VAE | paper UP-VAE | paper, best other |"
                s += mine.isEmpty ? "\n|---|---|---|---|---|---|\n" : " sbic, best other spec |\n|---|---|---|---|---|---|---|\n"
                for task in tasks {
                    s += "| \(task) |"
                    for model in vaes {
                        s += " \(summary(here.filter { $0.key.task == task && $0.key.model == model }, metric, digits)) |"
                        s += " \(format(paper.value(task: task, budget: budget, method: PaperResults.vaeMethods[model]!, metric: metric), digits)) |"
                    }
                    let best = paper.bestOther(task: task, budget: budget, metric: metric)
                    s += " \(best.map { "\($0.method) " + format($0.value, digits) } ?? "–") |"
                    if !mine.isEmpty {
                        s += " \(mine[task].map { "\($0) " + summary(here.filter { $0.key.task == task && $0.key.model == mine[task] }, metric, digits) } ?? "–") |"
                    }
                    s += "\n"
                }
                // Models of other specs (specs/beyond/), beside the paper's model of the same kind.
                let beyond = unique(here.filter { !vaes.contains($0.key.model) }.map { [$0.key.task, $0.key.model] })
                if !beyond.isEmpty {
                    s += "\nBeyond the paper's specs:\n\n| task | model | sbic | paper, same kind of VAE |\n|---|---|---|---|\n"
                    for pair in beyond {
                        let (task, model) = (pair[0], pair[1])
                        let kind = vaes.first { model.hasSuffix($0) }.flatMap { PaperResults.vaeMethods[$0] }
                        let theirs = kind.flatMap { paper.value(task: task, budget: budget, method: $0, metric: metric) }
                        s += "| \(task) | \(model) | \(summary(here.filter { $0.key.task == task && $0.key.model == model }, metric, digits)) |"
                        s += " \(kind.map { "\($0) " } ?? "")\(format(theirs, digits)) |\n"
                    }
                    if metric == .c2st { s += againstThePaper(here, mine, tasks, budget, paper) }
                }
            }
        }
        return s + Self.end + "\n"
    }

    /// Per task, the model of the specs beyond the paper's two VAEs whose mean C2ST is closest
    /// to 0.5; of equal ones, the first in the runs.
    private func bestOtherSpecs(_ runs: [RunRecord]) -> [String: String] {
        var best: [String: (model: String, distance: Double)] = [:]
        for pair in unique(runs.filter { !["cpvae", "upvae"].contains($0.key.model) }.map { [$0.key.task, $0.key.model] }) {
            let scores = runs.filter { $0.key.task == pair[0] && $0.key.model == pair[1] }.map(\.c2st)
            let distance = abs(scores.reduce(0, +) / Double(scores.count) - 0.5)
            if best[pair[0]].map({ distance < $0.distance }) ?? true { best[pair[0]] = (pair[1], distance) }
        }
        return best.mapValues(\.model)
    }

    /// The best other spec of each task against the paper's best method and its two VAEs, by
    /// mean C2ST, and its training minutes against a tenth of the paper's CP-VAE minutes.
    private func againstThePaper(_ runs: [RunRecord], _ mine: [String: String], _ tasks: [String], _ budget: Int,
                                 _ paper: PaperResults) -> String {
        var s = "\nsbic's best other spec per task against the paper: C2ST (mean ± standard deviation over seeds × "
            + "observations) beside the paper's best method and its two VAEs; \"won\" where sbic's mean is closer to 0.5. "
            + "Training: sbic's CPU minutes per trained model beside a tenth of the paper's CP-VAE minutes.\n\n"
            + "| task | sbic, best other spec | sbic C2ST | paper, best | paper CP-VAE | paper UP-VAE | against the best | "
            + "against both VAEs | sbic minutes | a tenth of CP-VAE's |\n|---|---|---|---|---|---|---|---|---|---|\n"
        var (count, best, vaes, fast) = (0, 0, 0, 0)
        for task in tasks {
            guard let model = mine[task] else { continue }
            let rows = runs.filter { $0.key.task == task && $0.key.model == model }
            let c2st = rows.map(\.c2st).reduce(0, +) / Double(rows.count)
            let minutes = unique(rows.map(\.key)).compactMap { k in rows.first { $0.key == k } }.map { Self.score($0, .trainMinutes) }
            let meanMinutes = minutes.reduce(0, +) / Double(minutes.count)
            let top = paper.bestOther(task: task, budget: budget, metric: .c2st)
            let theirs = ["CP-VAE", "UP-VAE"].map { paper.value(task: task, budget: budget, method: $0, metric: .c2st) }
            let limit = paper.value(task: task, budget: budget, method: "CP-VAE", metric: .trainMinutes).map { $0.mean / 10 }
            func beats(_ v: PaperResults.Value?) -> Bool? { v.map { abs(c2st - 0.5) < abs($0.mean - 0.5) } }
            let wonBest = beats(top?.value), wonVAEs = theirs.contains { $0 == nil } ? nil : theirs.allSatisfy { beats($0)! }
            count += 1
            if wonBest == true { best += 1 }
            if wonVAEs == true { vaes += 1 }
            if let limit, meanMinutes < limit { fast += 1 }
            func mark(_ won: Bool?) -> String { won.map { $0 ? "won" : "lost" } ?? "–" }
            s += "| \(task) | \(model) | \(summary(rows, .c2st, 3)) | \(top.map { "\($0.method) " + format($0.value, 3) } ?? "–") |"
            s += " \(format(theirs[0], 3)) | \(format(theirs[1], 3)) | \(mark(wonBest)) | \(mark(wonVAEs)) |"
            s += String(format: " %.2f |", meanMinutes) + " \(limit.map { String(format: "%.2f", $0) } ?? "–") |\n"
        }
        return s + "\nOf \(count) tasks, sbic's best other spec beats the paper's best method on \(best), both of its VAEs on "
            + "\(vaes), and trains in less than a tenth of the paper's CP-VAE minutes on \(fast).\n"
    }

    /// What the sbic columns of a table rest on.
    private func coverage(_ runs: [RunRecord]) -> String {
        guard !runs.isEmpty else { return "sbic: no runs at this budget yet." }
        let seeds = Set(runs.map(\.key.seed)).sorted(), observations = Set(runs.map(\.observation)).sorted()
        return "sbic: \(runs.count) scores; seeds \(seeds.map(String.init).joined(separator: ", ")); "
            + "observations \(observations.map(String.init).joined(separator: ", "))."
    }

    /// Mean ± standard deviation of a metric over runs; training time belongs to a trained
    /// model, not to each observation it was scored on, so it counts once per model.
    private func summary(_ rows: [RunRecord], _ metric: PaperResults.Metric, _ digits: Int) -> String {
        var rows = rows
        if metric == .trainMinutes { rows = unique(rows.map(\.key)).compactMap { k in rows.first { $0.key == k } } }
        guard !rows.isEmpty else { return "–" }
        let values = rows.map { Self.score($0, metric) }
        let mean = values.reduce(0, +) / Double(values.count)
        let std = values.count > 1 ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot() : 0
        return format(PaperResults.Value(mean: mean, std: std), digits)
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
            text = existing[..<b.lowerBound] + (try markdown()) + after
        } else {
            text = existing + (existing.isEmpty || existing.hasSuffix("\n\n") ? "" : "\n") + (try markdown())
        }
        try AtomicFile.write(Data(text.utf8), to: path)
    }
}

private func unique<T: Hashable>(_ values: [T]) -> [T] {
    var seen = Set<T>()
    return values.filter { seen.insert($0).inserted }
}

private func format(_ value: PaperResults.Value?, _ digits: Int) -> String {
    guard let value else { return "–" }
    return String(format: "%.\(digits)f ± %.\(digits)f", value.mean, value.std)
}

/// 10000 → "10,000".
private func grouped(_ n: Int) -> String {
    let digits = String(n)
    return digits.enumerated().map { i, c in (i > 0 && (digits.count - i) % 3 == 0 ? "," : "") + String(c) }.joined()
}
