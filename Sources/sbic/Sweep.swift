import ArgumentParser
import Datasets
import Dispatch
import Evaluation
import Foundation
import Training

/// The runs of `sbic reproduce`: every spec × budget × seed, each independent of the others
/// and leaving its own result file, so that one process, `--jobs N` processes, a Slurm array
/// or GNU parallel can run them and one merge makes the same report of them all.
struct Sweep {
    struct Run {
        var key: RunKey
        var spec: String
        var name: String { key.name }
    }

    let options: Reproduce
    let specs: String, out: String, report: String
    let runs: [Run]
    /// Records appended to OUT/runs.jsonl by versions of sbic before result files.
    let earlier: [RunRecord]

    init(_ options: Reproduce) throws {
        self.options = options
        // Absolute from here on: the plan's lines run from any directory.
        specs = absolute(try options.specs ?? Sweep.findSpecs())
        let beside = URL(fileURLWithPath: specs).deletingLastPathComponent().path
        out = absolute(options.out ?? beside + "/docs/reproduction")
        report = absolute(options.report ?? beside + "/docs/results.md")
        runs = try Sweep.runs(options, specs: specs)
        earlier = RunRecord.load(out + "/runs.jsonl")
    }

    /// ./specs, else the specs folder of the repository the executable was built in
    /// (`REPOSITORY/.build/<configuration>/sbic`), so that the command works from anywhere.
    static func findSpecs() throws -> String {
        if isDirectory("specs") { return "specs" }
        var directory = URL(fileURLWithPath: executablePath).deletingLastPathComponent()
        while directory.path != "/" {
            if isDirectory(directory.path + "/specs") && FileManager.default.fileExists(atPath: directory.path + "/Package.swift") {
                return directory.path + "/specs"
            }
            directory.deleteLastPathComponent()
        }
        throw SweepError("found no specs folder (./specs, or one in the repository sbic was built in); "
                         + "give --specs DIR, with --out and --report")
    }

    /// The runs in the order of the plan: task, model, budget, seed. A spec's file name says
    /// its task and model, `<task>_<model>.json`; tasks and models not given are those found.
    private static func runs(_ options: Reproduce, specs: String) throws -> [Run] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: specs).sorted()
        } catch {
            throw DataError(file: specs, reason: "cannot list the specs folder (\(error.localizedDescription))")
        }
        let found: [(task: String, model: String)] = names.compactMap { name in
            guard name.hasSuffix(".json") else { return nil }
            let stem = String(name.dropLast(5))
            // The longest task that starts the name: gaussian_linear_uniform_cpvae is not a gaussian_linear model.
            guard let task = Reproduce.sbibmTasks.filter({ stem.hasPrefix($0 + "_") }).max(by: { $0.count < $1.count }) else { return nil }
            return (task, String(stem.dropFirst(task.count + 1)))
        }
        for task in options.tasks ?? [] {
            guard Reproduce.sbibmTasks.contains(task) else {
                throw SweepError("\(task) has no sbibm reference posterior to score against; the tasks are "
                                 + Reproduce.sbibmTasks.joined(separator: ", "))
            }
            guard found.contains(where: { $0.task == task }) else { throw DataError(file: specs, reason: "holds no spec \(task)_<model>.json") }
        }
        for model in options.models ?? [] where !found.contains(where: { $0.model == model }) {
            throw DataError(file: specs, reason: "holds no spec <task>_\(model).json")
        }
        let tasks = options.tasks ?? Reproduce.sbibmTasks.filter { task in found.contains { $0.task == task } }
        let models = options.models ?? unique(found.map(\.model)).sorted()
        var runs: [Run] = []
        for task in tasks { for model in models where found.contains(where: { $0 == (task, model) }) {
            for budget in options.budgets { for seed in options.seeds {
                runs.append(Run(key: RunKey(task: task, model: model, budget: budget, seed: seed),
                                spec: "\(specs)/\(task)_\(model).json"))
            }}
        }}
        guard !runs.isEmpty else { throw DataError(file: specs, reason: "holds no spec <task>_<model>.json for these tasks and models") }
        return runs
    }

    func resultPath(_ run: Run) -> String { "\(out)/runs/\(RunResults.fileName(run.key))" }
    func logPath(_ run: Run) -> String { "\(out)/logs/\(run.name).log" }
    private func modelPath(_ run: Run) -> String { "\(out)/models/\(run.name)" }

    /// The observations `run` has no score for yet, in its result file or the earlier log.
    func missingObservations(_ run: Run) -> [Int] {
        let done = Set(((RunResults.read(resultPath(run), key: run.key) ?? []) + earlier.filter { $0.key == run.key }).map(\.observation))
        return options.observations.filter { !done.contains($0) }
    }

    var pending: [Run] { runs.filter { !missingObservations($0).isEmpty } }

    /// The results of other folders' sweeps (`--beside`, such as the specs beyond the paper's in
    /// docs/reproduction/beyond) at this sweep's tasks, budgets, seeds and observations, which
    /// the report sets beside this sweep's own. Only whole result files count, as in `merge`,
    /// and none of this sweep's own runs.
    func besideRecords() -> [RunRecord] {
        let tasks = Set(runs.map(\.key.task)), own = Set(runs.map(\.key))
        var records: [RunRecord] = []
        for folder in options.beside {
            let directory = absolute(folder) + "/runs"
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
            for name in names {
                guard let key = RunRecord.load(directory + "/" + name).first?.key, RunResults.fileName(key) == name,
                      let file = RunResults.read(directory + "/" + name, key: key),
                      tasks.contains(key.task), options.budgets.contains(key.budget), options.seeds.contains(key.seed), !own.contains(key)
                else { continue }
                records += file.filter { options.observations.contains($0.observation) }
            }
        }
        return records
    }

    // MARK: The plan as commands

    /// The arguments of `sbic` that do `run`, and nothing else, from any directory.
    func arguments(_ run: Run) -> [String] {
        ["reproduce", "--specs", specs, "--out", out,
         "--tasks", run.key.task, "--models", run.key.model, "--budgets", "\(run.key.budget)", "--seeds", "\(run.key.seed)",
         "--observations", options.observations.map(String.init).joined(separator: ","), "--samples", "\(options.samples)",
         "--backend", options.backend.rawValue] + (options.maxEpochs.map { ["--max-epochs", "\($0)"] } ?? [])
            + ["--jobs", "1", "--no-report"]
    }

    func commandLine(_ run: Run) -> String { ([executablePath] + arguments(run)).map(shellQuoted).joined(separator: " ") }

    /// The command that makes the report from the same results: every option that decides them.
    var producedBy: String {
        let tasks = unique(runs.map(\.key.task)), models = unique(runs.map(\.key.model))
        return "sbic reproduce --specs \(relative(specs)) --tasks \(tasks.joined(separator: ",")) --models \(models.joined(separator: ","))"
            + " --budgets \(options.budgets.map(String.init).joined(separator: ",")) --seeds \(options.seeds.map(String.init).joined(separator: ","))"
            + " --observations \(options.observations.map(String.init).joined(separator: ",")) --samples \(options.samples)"
            + " --backend \(options.backend.rawValue)" + (options.maxEpochs.map { " --max-epochs \($0)" } ?? "")
            + " --out \(relative(out)) --report \(relative(report))"
            + (options.beside.isEmpty ? "" : " --beside \(options.beside.map(relative).joined(separator: ","))")
    }

    // MARK: Running

    /// Runs what is pending one after another in this process; a run that fails is reported
    /// and the others go on. Returns the failed runs.
    func runHere() throws -> [Run] {
        var failed: [Run] = []
        for run in pending {
            if Interrupt.shared.isRaised { break }
            do {
                try execute(run)
            } catch let exit as ExitCode {
                throw exit
            } catch {
                printError(error, context: "reproduce: \(run.name)")
                failed.append(run)
            }
        }
        return failed
    }

    /// Runs what is pending as `jobs` processes at a time, each one line of the plan with its
    /// output in OUT/logs. An interrupt is passed on to the runs, which keep their models.
    func runAsProcesses(_ jobs: Int) throws -> [Run] {
        let pending = self.pending
        guard !pending.isEmpty else { return [] }
        try FileManager.default.createDirectory(atPath: out + "/logs", withIntermediateDirectories: true)
        print("\(pending.count) of \(runs.count) runs to do, \(jobs) at a time; their output goes to \(out)/logs")
        fflush(stdout)
        Interrupt.shared.install()
        let state = ProcessState(), slots = DispatchSemaphore(value: jobs), group = DispatchGroup()
        launching: for run in pending {
            while slots.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
                if Interrupt.shared.isRaised { break launching }
            }
            if Interrupt.shared.isRaised { slots.signal(); break }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executablePath)
            process.arguments = arguments(run)
            // N runs on N cores: one BLAS thread each, whatever this process was given.
            process.environment = ProcessInfo.processInfo.environment.merging(["OPENBLAS_NUM_THREADS": "1"]) { $1 }
            guard FileManager.default.createFile(atPath: logPath(run), contents: nil),
                  let log = FileHandle(forWritingAtPath: logPath(run)) else {
                slots.signal()
                throw DataError(file: logPath(run), reason: "cannot open for writing")
            }
            process.standardOutput = log
            process.standardError = log
            let missing = missingObservations(run)
            let finished = { [self] (process: Process) in
                state.end(process, run) {
                    if process.terminationReason == .exit && process.terminationStatus == 0 {
                        for record in RunResults.read(resultPath(run), key: run.key) ?? [] where missing.contains(record.observation) {
                            printScore(record)
                        }
                        return false
                    }
                    guard !Interrupt.shared.isRaised else { return false }
                    let how = process.terminationReason == .exit ? "exit status" : "signal"
                    print("\(run.name): failed (\(how) \(process.terminationStatus)); see \(logPath(run))")
                    fflush(stdout)
                    return true
                }
            }
            process.terminationHandler = { process in
                finished(process)
                try? log.close()
                slots.signal()
                group.leave()
            }
            group.enter()
            state.start(process)
            do {
                try process.run()
            } catch {
                state.end(process, run) { true }
                printError(DataError(file: executablePath, reason: "cannot start (\(error.localizedDescription))"), context: "reproduce: \(run.name)")
                slots.signal()
                group.leave()
            }
        }
        var passedOn = false
        while group.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
            guard Interrupt.shared.isRaised, !passedOn else { continue }
            passedOn = true
            state.signalAll(SIGINT)
        }
        return state.failed
    }

    /// Trains `run`'s model as `sbic train` does (or takes the one trained before), scores the
    /// observations that have no score yet, and writes the run's result file.
    func execute(_ run: Run) throws {
        let missing = missingObservations(run)
        guard !missing.isEmpty else { return }
        let key = run.key, directory = modelPath(run)
        var trained = try? TrainedModel.load(from: directory)
        // A model saved mid-run, or kept by an interrupt, has not finished the protocol: train again.
        if trained == nil || !trained!.summary.stopped.isFinished {
            let train = try Train.parse([run.spec, "--task", key.task, "--simulations", "\(key.budget)", "--seed", "\(key.seed)",
                                         "--out", directory, "--overwrite", "--backend", options.backend.rawValue]
                                        + (options.maxEpochs.map { ["--max-epochs", "\($0)"] } ?? []))
            // An interrupt ends training early, or before its first epoch with an error; either
            // way the command stops here.
            let outcome = Result { try train.train() }
            if Interrupt.shared.isRaised { throw ExitCode(130) }
            trained = try outcome.get().0
        }
        let model = trained!
        let backend = options.backend.compiler, samples = options.samples
        let rows = try missing.map { try SBIBM.observation(task: key.task, number: $0).rowArray(0) }
        let sampler = try PosteriorSampler(model, backend: backend)
        let drawn = try sampler.sample(try Matrix(rowArrays: rows), count: samples, seed: UInt64(key.seed)).map(\.samples)
        var c2st = C2ST(backend: backend)
        c2st.seed = UInt64(key.seed)
        let provenance = try Provenance.here(spec: run.spec, samples: samples, maxEpochs: options.maxEpochs)
        let scored = try zip(missing, drawn).map { observation, posterior in
            // Equally many from each set, as sbibm compares 10,000 with 10,000.
            let all = try SBIBM.referenceSamples(task: key.task, number: observation)
            let reference = all.selectingRows(0..<min(samples, all.rows))
            return RunRecord(key: key, observation: observation, c2st: try c2st(posterior, reference: reference).accuracy,
                             mmd2: try MMD.compute(posterior, reference: reference).mmd2,
                             trainMinutes: model.summary.wallSeconds / 60,
                             trainCPUMinutes: model.summary.cpuSeconds.map { $0 / 60 }, epochs: model.summary.epochs,
                             bestEpoch: model.summary.bestEpoch, backend: model.summary.backend, provenance: provenance)
        }
        try RunResults.add(scored, to: resultPath(run), key: key)
        scored.forEach(printScore)
    }

    // MARK: Merging

    /// The plan's records, from the result files and the earlier log, in the order of the plan
    /// (run, then observation), whatever order or machine wrote them; and the runs that have
    /// no complete results.
    func merge() -> (records: [RunRecord], missing: [Run]) {
        var records: [RunRecord] = [], missing: [Run] = []
        for run in runs {
            let file = RunResults.read(resultPath(run), key: run.key) ?? []
            let scores = options.observations.compactMap { observation in
                file.first { $0.observation == observation } ?? earlier.first { $0.key == run.key && $0.observation == observation }
            }
            if scores.count < options.observations.count { missing.append(run) }
            records += scores
        }
        return (records, missing)
    }
}

/// The processes of `runAsProcesses`, shared with the handlers that run when they end.
private final class ProcessState: @unchecked Sendable {
    private let lock = NSLock()
    private var running: [Process] = []
    private var failures: [Sweep.Run] = []

    var failed: [Sweep.Run] { lock.lock(); defer { lock.unlock() }; return failures }

    func start(_ process: Process) { lock.lock(); running.append(process); lock.unlock() }

    /// Forgets `process`, and runs `report` (which prints, and says whether `run` failed)
    /// while no other handler does.
    func end(_ process: Process, _ run: Sweep.Run, _ report: () -> Bool) {
        lock.lock()
        defer { lock.unlock() }
        running.removeAll { $0 === process }
        if report() { failures.append(run) }
    }

    func signalAll(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        for process in running where process.isRunning { kill(process.processIdentifier, signal) }
    }
}

struct SweepError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

private func printScore(_ record: RunRecord) {
    let key = record.key
    print(String(format: "%@ %@ %d seed %d obs %d: C2ST %.3f  MMD² %.4f  %.1f min", key.task, key.model, key.budget, key.seed,
                 record.observation, record.c2st, record.mmd2, record.trainMinutes))
    fflush(stdout)
}

extension Provenance {
    /// This build and host, with the spec's hash.
    static func here(spec: String, samples: Int, maxEpochs: Int?) throws -> Provenance {
        Provenance(commit: Build.shared.commit, executable: Build.shared.executable, host: ProcessInfo.processInfo.hostName,
                   cpu: Build.shared.cpu, spec: SHA256.hex(try readFile(spec)), samples: samples, maxEpochs: maxEpochs)
    }
}

/// What this process is and where it runs, looked up once.
private struct Build {
    static let shared = Build()
    let commit: String?, executable: String, cpu: String

    init() {
        executable = (try? readFile(executablePath)).map(SHA256.hex) ?? "unreadable"
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        cpu = info.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        commit = Build.describe(URL(fileURLWithPath: executablePath).deletingLastPathComponent().path)
    }

    /// `git describe --always --dirty` in `directory`'s repository, if git and one are there.
    private static func describe(_ directory: String) -> String? {
        let git = Process(), output = Pipe()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "-C", directory, "describe", "--always", "--dirty", "--abbrev=12"]
        git.standardOutput = output
        git.standardError = FileHandle.nullDevice
        guard (try? git.run()) != nil else { return nil }
        let text = output.fileHandleForReading.readDataToEndOfFile()
        git.waitUntilExit()
        guard git.terminationReason == .exit, git.terminationStatus == 0 else { return nil }
        return String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The running sbic, by its absolute path.
let executablePath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]

private func isDirectory(_ path: String) -> Bool {
    var directory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
}

private func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

/// `path` relative to the current directory when it lies inside it, as a user would type it.
private func relative(_ path: String) -> String {
    let full = absolute(path), here = absolute(FileManager.default.currentDirectoryPath) + "/"
    return full.hasPrefix(here) ? String(full.dropFirst(here.count)) : path
}

/// One word for a POSIX shell.
private func shellQuoted(_ word: String) -> String {
    let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./,=:+@%".contains($0) }
    return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}

private func unique<T: Hashable>(_ values: [T]) -> [T] {
    var seen = Set<T>()
    return values.filter { seen.insert($0).inserted }
}
