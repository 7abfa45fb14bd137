import ArgumentParser
import Datasets
import Foundation
import IR
import Simulators
import Training

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a compiled graph on simulations and save the model.",
        discussion: """
            Data come from a built-in simulator (--task, --simulations) or from files (--theta, --y: \
            .npy or .csv, one simulation a row). The spec's training settings are the defaults. \
            Ctrl-C stops training and keeps the best model so far.
            """)

    @Argument(help: "A compiled graph (.sbig) or a spec (.json), compiled now.")
    var graph: String

    @Option(help: "Built-in simulator to generate data with (default: the spec's task).")
    var task: String?

    @Option(help: "Number of simulations when generating data.")
    var simulations = 10_000

    @Option(help: "θ of each simulation, one row each (.npy or .csv).")
    var theta: String?

    @Option(help: "y of each simulation, one row each (.npy or .csv).")
    var y: String?

    @Option(name: .shortAndLong, help: "Model directory to write (default: models/<graph name>).")
    var out: String?

    @Flag(help: "Replace a model already in the output directory.")
    var overwrite = false

    @Option(help: "Seed for simulation, split, initialization, noise; the same seed gives the same model.")
    var seed: UInt64 = 1

    @Option(help: "Maximum number of epochs.") var maxEpochs: Int?
    @Option(help: "Epochs without a better validation loss before stopping.") var patience: Int?
    @Option(help: "AdamW learning rate.") var learningRate: Double?
    @Option(help: "Batch size (only with a spec: it is compiled into the graph).") var batchSize: Int?
    @Option(help: "Back end: \(BackendChoice.allCases.map(\.rawValue).joined(separator: ", ")).")
    var backend = BackendChoice.interpreter
    @Option(help: "Least seconds between saves of the best model while training runs (default 10; 0 saves every improvement).")
    var checkpointInterval: Double?

    func validate() throws {
        guard (theta == nil) == (y == nil) else { throw ValidationError("give both --theta and --y, or neither") }
        guard theta == nil || task == nil else { throw ValidationError("use either --task or --theta/--y, not both") }
        guard simulations > 0 else { throw ValidationError("--simulations must be positive") }
        if let maxEpochs, maxEpochs <= 0 { throw ValidationError("--max-epochs must be positive") }
        if let patience, patience <= 0 { throw ValidationError("--patience must be positive") }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) { throw ValidationError("--learning-rate must be positive") }
        if let batchSize, batchSize <= 0 { throw ValidationError("--batch-size must be positive") }
        if let checkpointInterval, !(checkpointInterval >= 0 && checkpointInterval.isFinite) {
            throw ValidationError("--checkpoint-interval must be a number of seconds, 0 or more")
        }
    }

    func run() throws {
        do {
            try train()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError(error, context: "train")
            throw ExitCode.failure
        }
    }

    private func train() throws {
        let (graph, spec) = try loadGraph(self.graph, batchSize: batchSize)
        // What the graph says is checked, and its memory taken, before any simulation runs.
        let (interface, settings, trainer) = try inFile(self.graph) {
            (try GraphInterface(graph), try TrainingSettings(graph), try Trainer(graph: graph, backend: backend.compiler))
        }
        let directory = out ?? "models/\(graph.name)"
        if FileManager.default.fileExists(atPath: directory + "/model.json") && !overwrite {
            throw TrainingError("\(directory) already holds a trained model; pass --overwrite to replace it, or choose another --out")
        }
        // While a checkpoint replaces the previous one, both are on disk.
        try checkWritable(directory, needing: saturatingMultiply(TrainedModel.bytesOnDisk(graph, spec: spec), 2))

        // The data.
        let start = Date()
        let input: TrainingInput
        if let theta, let y {
            input = try TrainingInput.read(theta: theta, y: y, for: graph, interface)
        } else {
            guard let name = task ?? graph.metadata["task"] else {
                throw TrainingError("the graph names no task: give --task or --theta and --y")
            }
            input = try TrainingInput.simulate(task: name, count: simulations, seed: seed, for: graph, interface)
        }
        let data = try inFile(input.source) {
            try TrainingData(theta: input.theta, y: input.y, validationFraction: settings.validationFraction,
                             scaling: settings.scaling, minimumTrainingRows: trainer.batch, seed: seed)
        }
        let dropped = "\(data.dropped) dropped as non-finite" + (data.dropped > 0 ? input.firstNonFinite.map { ", the first at \($0)" } ?? "" : "")
        print("\(graph.name): \(input.source) (\(dropped)), \(data.trainCount) for training, "
              + "\(data.validationCount) for validation; \(backend.rawValue) back end")

        var options = TrainingOptions(maxEpochs: maxEpochs ?? settings.maxEpochs, patience: patience ?? settings.patience,
                                      learningRate: learningRate ?? settings.learningRate, seed: seed)
        if let checkpointInterval { options.checkpointInterval = checkpointInterval }
        let log = try TrainingLog(directory + "/train.jsonl")
        let progress = Progress(maxEpochs: options.maxEpochs)
        func summary(_ result: (epochs: Int, best: EpochRecord, stopped: String, usPerStep: Double)) -> TrainingSummary {
            TrainingSummary(epochs: result.epochs, bestEpoch: result.best.bestEpoch, bestValidationLoss: result.best.bestValidationLoss,
                            wallSeconds: Date().timeIntervalSince(start), microsecondsPerStep: result.usPerStep,
                            simulations: input.theta.rows, simulationsDropped: data.dropped, seed: seed,
                            backend: backend.rawValue, stopped: result.stopped)
        }
        func save(_ weights: [String: [Float]], _ summary: TrainingSummary) throws {
            try TrainedModel(graph: graph, weights: weights, thetaScaler: data.thetaScaler, yScaler: data.yScaler,
                             summary: summary, spec: spec).save(to: directory)
        }
        options.onEpoch = { record in
            progress.show(record)
            log.append(record)
        }
        options.onCheckpoint = { weights, record in
            try save(weights, summary((record.epoch, record, "running", 0)))
        }
        Interrupt.shared.install()
        options.shouldStop = { Interrupt.shared.isRaised }

        let result = try trainer.train(data, options)
        progress.finish()
        let final = summary((result.epochs, result.best, result.stopped, result.microsecondsPerStep))
        try save(result.weights, final)
        print("stopped after \(result.epochs) epochs (\(result.stopped)); best validation loss "
              + "\(String(format: "%.4f", result.best.bestValidationLoss)) at epoch \(result.best.bestEpoch); "
              + "\(String(format: "%.1f", final.wallSeconds)) s, \(String(format: "%.0f", result.microsecondsPerStep)) µs/step")
        print("wrote \(directory)")
        if result.stopped == "non-finite loss" {
            printError(TrainingError("the loss became NaN or infinite; kept the best model (epoch \(result.best.bestEpoch))"), context: "train")
            throw ExitCode.failure
        }
    }
}

/// One updating line on a terminal, one line per epoch otherwise.
final class Progress {
    let maxEpochs: Int
    let terminal = isatty(STDOUT_FILENO) != 0
    init(maxEpochs: Int) { self.maxEpochs = maxEpochs }

    func show(_ r: EpochRecord) {
        let line = String(format: "epoch %d/%d  train %.4f  validation %.4f  best %.4f @ %d  %.1f s  %.0f steps/s",
                          r.epoch, maxEpochs, r.trainLoss, r.validationLoss, r.bestValidationLoss, r.bestEpoch,
                          r.elapsedSeconds, r.stepsPerSecond)
        if terminal { print("\r" + line + "\u{1B}[K", terminator: "") } else { print(line) }
        fflush(stdout)
    }

    func finish() { if terminal { print() } }
}

/// The JSON-lines log: one object per epoch, appended.
final class TrainingLog {
    private let path: String
    private let handle: FileHandle
    private let encoder = JSONEncoder()
    private var failed = false

    init(_ path: String) throws {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path), (try? handle.seekToEnd()) != nil else {
            throw DataError(file: path, reason: "cannot open for writing")
        }
        self.path = path
        self.handle = handle
        encoder.outputFormatting = [.sortedKeys]
    }

    func append(_ record: EpochRecord) {
        guard let data = try? encoder.encode(record) else { return }
        do {
            try handle.write(contentsOf: data + Data("\n".utf8))
        } catch where !failed {
            // The log is a convenience: a full disk must not end a run whose model is saved
            // (a checkpoint that cannot be written stops training with its own error).
            failed = true
            printError(DataError(file: path, reason: "cannot append (\(error.localizedDescription)); training goes on without it"),
                       context: "train")
        } catch {}
    }
}
