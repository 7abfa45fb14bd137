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
    @OptionGroup var backendOption: BackendOption
    var backend: BackendChoice { backendOption.backend }
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
        try reportingErrors("train") {
            let (_, result) = try train()
            if result.stopped == "non-finite loss" {
                printError(TrainingError("the loss became NaN or infinite; kept the best model (epoch \(result.best.bestEpoch))"), context: "train")
                throw ExitCode.failure
            }
        }
    }

    /// The one training path: `sbic reproduce` trains each of its models through it too.
    func train() throws -> (TrainedModel, TrainingResult) {
        let (graph, spec) = try loadGraph(self.graph, batchSize: batchSize)
        let directory = out ?? "models/\(graph.name)"
        if FileManager.default.fileExists(atPath: directory + "/model.json") && !overwrite {
            throw TrainingError("\(directory) already holds a trained model; pass --overwrite to replace it, or choose another --out")
        }
        // What the graph says is checked, and its memory taken, before any simulation runs.
        let (interface, run) = try inFile(self.graph) {
            (try GraphInterface(graph), try TrainingRun(graph: graph, spec: spec, directory: directory, seed: seed,
                                                        backendName: backend.rawValue, backend: backend.compiler))
        }
        // While a checkpoint replaces the previous one, both are on disk.
        try checkWritable(directory, needing: saturatingMultiply(TrainedModel.bytesOnDisk(graph, spec: spec), 2))

        let input: TrainingInput
        if let theta, let y {
            input = try TrainingInput.read(theta: theta, y: y, for: graph, interface)
        } else {
            guard let name = task ?? graph.metadata["task"] else {
                throw TrainingError("the graph names no task: give --task or --theta and --y")
            }
            input = try TrainingInput.simulate(task: name, count: simulations, seed: seed, for: graph, interface)
        }
        var configured = run
        if let maxEpochs { configured.settings.maxEpochs = maxEpochs }
        if let patience { configured.settings.patience = patience }
        if let learningRate { configured.settings.learningRate = learningRate }
        if let checkpointInterval { configured.checkpointInterval = checkpointInterval }
        let data = try inFile(input.source) { try configured.prepare(theta: input.theta, y: input.y) }
        let dropped = "\(data.dropped) dropped as non-finite" + (data.dropped > 0 ? input.firstNonFinite.map { ", the first at \($0)" } ?? "" : "")
        print("\(graph.name): \(input.source) (\(dropped)), \(data.trainCount) for training, "
              + "\(data.validationCount) for validation; \(backend.rawValue) back end")
        let progress = Progress(maxEpochs: configured.settings.maxEpochs)
        configured.onEpoch = progress.show
        Interrupt.shared.install()
        configured.shouldStop = { Interrupt.shared.isRaised }

        let (model, result) = try configured.run(data, simulations: input.theta.rows)
        progress.finish()
        print("stopped after \(result.epochs) epochs (\(result.stopped)); best validation loss "
              + "\(String(format: "%.4f", result.best.bestValidationLoss)) at epoch \(result.best.bestEpoch); "
              + "\(String(format: "%.1f", model.summary.wallSeconds)) s, \(String(format: "%.0f", result.microsecondsPerStep)) µs/step")
        print("wrote \(directory)")
        return (model, result)
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
