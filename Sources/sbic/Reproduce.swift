import ArgumentParser
import Datasets
import Evaluation
import Foundation
import Simulators
import Training

struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the paper's protocol over tasks × models × budgets × seeds and write the results tables.",
        discussion: """
            For each combination: simulate, train (specs/<task>_<model>.json), draw 10,000 posterior samples \
            for each observation, and score them against sbibm's reference (C2ST, MMD). Every result is \
            appended to OUT/runs.jsonl as it is computed, and models are kept in OUT/models, so an \
            interrupted reproduction resumes where it stopped. The tables go between the reproduction \
            markers of the report (docs/results.md), leaving the rest of it as it is.
            """)

    @Option(help: "Tasks, comma separated.", transform: list) var tasks = Reproduce.sbibmTasks
    @Option(help: "Models, comma separated.", transform: list) var models = ["cpvae", "upvae"]
    @Option(help: "Simulation budgets, comma separated.", transform: numbers) var budgets = [10_000]
    @Option(help: "Seeds, comma separated.", transform: numbers) var seeds = [1, 2, 3]
    @Option(help: "sbibm observations, e.g. 1-5.", transform: parseNumbers) var observations = [1, 2, 3, 4, 5]
    @Option(help: "Posterior samples per observation.") var samples = 10_000
    @Option(help: "Directory of the spec files.") var specs = "specs"
    @Option(help: "Where runs.jsonl and the models go.") var out = "docs/reproduction"
    @Option(help: "The report whose reproduction section is rewritten.") var report = "docs/results.md"
    @Flag(help: "Only rewrite the report from OUT/runs.jsonl.") var reportOnly = false
    @Option(help: "Cap the epochs (a quick preview; the paper's protocol runs to early stopping).") var maxEpochs: Int?
    @Option(help: "Back end: \(BackendChoice.allCases.map(\.rawValue).joined(separator: ", ")).")
    var backend = BackendChoice.jit

    static let sbibmTasks = ["two_moons", "gaussian_linear", "gaussian_linear_uniform", "gaussian_mixture", "slcp",
                             "slcp_distractors", "bernoulli_glm", "bernoulli_glm_raw", "sir", "lotka_volterra"]

    func run() throws {
        try reportingErrors("reproduce") {
            try checkWritable(out, needing: 1 << 20)
            let log = out + "/runs.jsonl"
            var runs = RunRecord.load(log)
            if !reportOnly {
                Interrupt.shared.install()
                for task in tasks { for model in models { for budget in budgets { for seed in seeds {
                    if Interrupt.shared.isRaised { break }
                    let key = RunKey(task: task, model: model, budget: budget, seed: seed)
                    let missing = observations.filter { o in !runs.contains { $0.key == key && $0.observation == o } }
                    guard !missing.isEmpty else { continue }
                    for record in try execute(key, observations: missing) {
                        try record.append(to: log)
                        runs.append(record)
                        print(String(format: "%@ %@ %d seed %d obs %d: C2ST %.3f  MMD² %.4f  %.1f min",
                                     task, model, budget, seed, record.observation, record.c2st, record.mmd2, record.trainMinutes))
                        fflush(stdout)
                    }
                }}}}
            }
            try ResultsReport(runs: runs, command: commandLine()).write(into: report)
            print("wrote \(report) (\(runs.count) results)")
            // Interrupted while scoring: the report holds what was done, and the status says so.
            if Interrupt.shared.isRaised { throw ExitCode(130) }
        }
    }

    /// Trains (or reuses a finished model), samples and scores one combination.
    private func execute(_ key: RunKey, observations: [Int]) throws -> [RunRecord] {
        let directory = "\(out)/models/\(key.task)_\(key.model)_\(key.budget)_s\(key.seed)"
        var trained = try? TrainedModel.load(from: directory)
        // A model saved mid-run, or kept by an interrupt, has not finished the protocol: train again.
        if trained == nil || ["running", "interrupted"].contains(trained!.summary.stopped) {
            let specPath = "\(specs)/\(key.task)_\(key.model).json"
            let (graph, spec) = try loadGraph(specPath)
            let (theta, y) = simulateDataset(try Simulators.named(key.task), count: key.budget, seed: UInt64(key.seed),
                                             threads: ProcessInfo.processInfo.activeProcessorCount)
            let claimed = try ModelDirectory(claiming: directory, overwrite: true)
            var run = try TrainingRun(graph: graph, spec: spec, seed: UInt64(key.seed),
                                      backendName: backend.rawValue, backend: backend.compiler)
            run.shouldStop = { Interrupt.shared.isRaised }
            if let maxEpochs { run.settings.maxEpochs = maxEpochs }
            let data = try run.prepare(theta: theta, y: y)
            // An interrupt ends training early, or before its first epoch with an error; either
            // way the command stops here.
            let outcome = Result { try run.run(data, simulations: key.budget, in: claimed) }
            if Interrupt.shared.isRaised { throw ExitCode(130) }
            trained = try outcome.get().0
        }
        let model = trained!
        let rows = try observations.map { try SBIBM.observation(task: key.task, number: $0).rowArray(0) }
        let sampler = try PosteriorSampler(model, backend: backend.compiler)
        let drawn = try sampler.sample(try Matrix(rowArrays: rows), count: samples, seed: UInt64(key.seed)).map(\.samples)
        var c2st = C2ST(backend: backend.compiler)
        c2st.seed = UInt64(key.seed)
        return try zip(observations, drawn).map { observation, posterior in
            // Equally many from each set, as sbibm compares 10,000 with 10,000.
            let all = try SBIBM.referenceSamples(task: key.task, number: observation)
            let reference = all.selectingRows(0..<min(samples, all.rows))
            return RunRecord(key: key, observation: observation, c2st: try c2st(posterior, reference: reference).accuracy,
                             mmd2: try MMD.compute(posterior, reference: reference).mmd2,
                             trainMinutes: model.summary.wallSeconds / 60, epochs: model.summary.epochs,
                             bestEpoch: model.summary.bestEpoch, backend: model.summary.backend)
        }
    }

    private func commandLine() -> String {
        "sbic reproduce --tasks \(tasks.joined(separator: ",")) --models \(models.joined(separator: ","))"
            + " --budgets \(budgets.map(String.init).joined(separator: ",")) --seeds \(seeds.map(String.init).joined(separator: ","))"
            + " --observations \(observations.map(String.init).joined(separator: ","))"
            + (maxEpochs.map { " --max-epochs \($0)" } ?? "")
    }
}

private func list(_ text: String) throws -> [String] {
    let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !items.isEmpty else { throw ValidationError("\"\(text)\" is an empty list") }
    return items
}

private func numbers(_ text: String) throws -> [Int] {
    try list(text).map { item in
        guard let n = Int(item), n > 0 else { throw ValidationError("\"\(item)\" is not a positive integer") }
        return n
    }
}
