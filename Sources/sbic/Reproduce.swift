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
            A sweep is a list of independent runs, one for each spec (SPECS/<task>_<model>.json), budget \
            and seed: simulate, train as `sbic train` does, draw posterior samples for each observation and \
            score them against sbibm's reference (C2ST, MMD). Each run writes its own result file, \
            OUT/runs/<task>_<model>_<budget>_s<seed>.jsonl, in one step; runs whose file is complete are \
            skipped, so an interrupted sweep resumes where it stopped. The results are then merged into the \
            report's tables, in the order of the plan whichever machine wrote them (records of OUT/runs.jsonl, \
            written by earlier versions, count too).

            --jobs N runs N runs at once, each in its own process with one OpenBLAS thread; --jobs 1 runs them one \
            after another in this process. --plan prints the runs as one complete sbic command a line, for \
            Slurm or GNU parallel, and --report-only merges their results afterwards (docs/sweeps.md).
            """)

    @Option(help: "Tasks, comma separated (default: every sbibm task with a spec in SPECS).", transform: list)
    var tasks: [String]?
    @Option(help: "Models, comma separated (default: every model with a spec in SPECS).", transform: list)
    var models: [String]?
    @Option(help: "Simulation budgets, comma separated.", transform: numbers) var budgets = [10_000]
    @Option(help: "Seeds, comma separated.", transform: numbers) var seeds = [1, 2, 3]
    @Option(help: "sbibm observations, e.g. 1-5.", transform: parseNumbers) var observations = [1, 2, 3, 4, 5]
    @Option(help: "Posterior samples per observation.") var samples = 10_000
    @Option(help: "Cap the epochs (a quick preview; the paper's protocol runs to early stopping).") var maxEpochs: Int?
    @OptionGroup var backendOption: BackendOption
    var backend: BackendChoice { backendOption.backend }
    @Option(help: "The folder of the specs, named <task>_<model>.json (default: ./specs, else the specs of the repository sbic was built in).")
    var specs: String?
    @Option(help: "Where the result files (OUT/runs), the models and the logs go (default: docs/reproduction beside the specs folder; required with --specs).")
    var out: String?
    @Option(help: "The report whose tables are rewritten (default: docs/results.md beside the specs folder; required with --specs).")
    var report: String?
    @Option(help: "Runs at once, each a process of its own, as many as there are cores unless given; 1 runs them in this process.")
    var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Result folders of other sweeps, comma separated (such as docs/reproduction/beyond), whose runs at these tasks, budgets, seeds and observations the report sets beside this sweep's.", transform: list)
    var beside: [String] = []
    @Flag(help: "Print the runs, one complete sbic command a line, and run nothing.") var plan = false
    @Flag(help: "Only merge the result files in OUT into the report.") var reportOnly = false
    @Flag(help: "Only run, and leave the report alone (what each line of --plan does).") var noReport = false

    static let sbibmTasks = ["two_moons", "gaussian_linear", "gaussian_linear_uniform", "gaussian_mixture", "slcp",
                             "slcp_distractors", "bernoulli_glm", "bernoulli_glm_raw", "sir", "lotka_volterra"]

    func validate() throws {
        guard [plan, reportOnly, noReport].filter({ $0 }).count <= 1 else {
            throw ValidationError("--plan, --report-only and --no-report are different steps; give one of them")
        }
        guard jobs > 0 else { throw ValidationError("--jobs must be positive") }
        guard samples > 0 else { throw ValidationError("--samples must be positive") }
        if let maxEpochs, maxEpochs <= 0 { throw ValidationError("--max-epochs must be positive") }
        if specs != nil {
            guard out != nil else { throw ValidationError("with --specs, give --out too: the defaults belong to the specs sbic finds") }
            guard report != nil || plan || noReport else {
                throw ValidationError("with --specs, give --report too: the defaults belong to the specs sbic finds")
            }
        }
    }

    func run() throws {
        try reportingErrors("reproduce") {
            let sweep = try Sweep(self)
            if plan {
                for run in sweep.runs { print(sweep.commandLine(run)) }
                return
            }
            try checkWritable(sweep.out + "/runs", needing: 1 << 20)
            var failed: [Sweep.Run] = []
            if !reportOnly {
                failed = try jobs == 1 ? sweep.runHere() : sweep.runAsProcesses(jobs)
            }
            if !noReport {
                let merged = sweep.merge()
                try ResultsReport(runs: merged.records + sweep.besideRecords(), command: sweep.producedBy).write(into: sweep.report)
                print("wrote \(sweep.report) (\(merged.records.count) results)")
                if !merged.missing.isEmpty && failed.isEmpty && !Interrupt.shared.isRaised {
                    throw SweepError("\(merged.missing.count) of \(sweep.runs.count) runs have no complete results in "
                                     + "\(sweep.out)/runs: \(merged.missing.map(\.name).joined(separator: ", "))")
                }
            }
            // Interrupted: the results written so far are kept, and the status says so.
            if Interrupt.shared.isRaised { throw ExitCode(130) }
            if !failed.isEmpty {
                throw SweepError("\(failed.count) of \(sweep.runs.count) runs failed: \(failed.map(\.name).joined(separator: ", "))")
            }
        }
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
