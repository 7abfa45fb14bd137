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

    @Option(help: "The prior θ was drawn from (JSON: a box or one distribution per parameter; docs/training.md), kept with the model.")
    var prior: String?

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
            if result.stopped == .nonFiniteLoss {
                printError(TrainingError("the loss became NaN or infinite; kept the best model (epoch \(result.best.bestEpoch))"), context: "train")
                throw ExitCode.failure
            }
        }
    }

    /// The one training path: `sbic reproduce` trains each of its models through it too.
    func train() throws -> (TrainedModel, TrainingResult) {
        let (graph, spec) = try loadGraph(self.graph, batchSize: batchSize)
        let path = out ?? "models/\(graph.name)"
        try ModelDirectory.check(path, overwrite: overwrite)
        // What the graph says is checked, and its memory taken, before any simulation runs.
        let run = try inFile(self.graph) {
            try TrainingRun(graph: graph, spec: spec, seed: seed, backendName: backend.rawValue, backend: backend.compiler)
        }
        let interface = run.trainer.interface
        // Held until the process ends: no other run may write here meanwhile.
        let directory = try ModelDirectory(claiming: path, overwrite: overwrite)
        // While a checkpoint replaces the previous one, both are on disk.
        try checkWritable(path, needing: saturatingMultiply(TrainedModel.bytesOnDisk(graph, spec: spec), 2))

        let namedPrior = try prior.map { path in
            let named = try NamedPrior.read(path)
            guard named.prior.dimension == interface.targetSize else {
                let n = named.prior.dimension
                throw DataError(file: path, reason: "is a prior over \(n) parameter\(n == 1 ? "" : "s"); \(graph.name) has \(interface.targetSize)")
            }
            return named
        }
        let input: TrainingInput
        if let theta, let y {
            input = try TrainingInput.read(theta: theta, y: y, for: graph, interface)
        } else {
            guard let name = task ?? graph.task else {
                throw TrainingError("the graph names no task: give --task or --theta and --y")
            }
            input = try TrainingInput.simulate(task: name, count: simulations, seed: seed, for: graph, interface)
        }
        var configured = run
        configured.prior = namedPrior
        configured.parameterNames = input.parameterNames ?? namedPrior?.names
        if let maxEpochs { configured.settings.maxEpochs = maxEpochs }
        if let patience { configured.settings.patience = patience }
        if let learningRate { configured.settings.learningRate = learningRate }
        if let checkpointInterval { configured.checkpointInterval = checkpointInterval }
        let data = try inFile(input.source) { try configured.prepare(theta: input.theta, y: input.y) }
        let dropped = "\(data.dropped) dropped as non-finite" + (data.dropped > 0 ? input.firstNonFinite.map { ", the first at \($0)" } ?? "" : "")
        print("\(graph.name): \(input.source) (\(dropped)), \(data.trainCount) for training, "
              + "\(data.validationCount) for validation; \(backend.rawValue) back end")
        let progress = Progress(maxEpochs: configured.settings.maxEpochs, patience: configured.settings.patience)
        configured.onEpoch = progress.show
        Interrupt.shared.install()
        configured.shouldStop = { Interrupt.shared.isRaised }

        let (model, result) = try configured.run(data, simulations: input.theta.rows, in: directory)
        progress.finish()
        print("stopped after \(result.epochs) epochs (\(result.stopped)); best validation loss "
              + "\(String(format: "%.4f", result.best.bestValidationLoss)) at epoch \(result.best.bestEpoch); "
              + "\(String(format: "%.1f", model.summary.wallSeconds)) s, \(String(format: "%.0f", result.microsecondsPerStep)) µs/step")
        print("wrote \(path)")
        return (model, result)
    }
}

/// One updating line on a terminal, one line per epoch otherwise: the losses, the epochs
/// left without improvement before early stopping, and a bound on the time left (every
/// epoch to the maximum at the mean pace so far).
final class Progress {
    let maxEpochs: Int, patience: Int
    let terminal = isatty(STDOUT_FILENO) != 0
    init(maxEpochs: Int, patience: Int) { self.maxEpochs = maxEpochs; self.patience = patience }

    func show(_ r: EpochRecord) {
        let left = min(patience - (r.epoch - r.bestEpoch), maxEpochs - r.epoch)
        let bound = r.elapsedSeconds / Double(r.epoch) * Double(maxEpochs - r.epoch)
        let line = String(format: "epoch %d/%d  train %.4f  validation %.4f  best %.4f @ %d  stops in %d without improvement  %.1f s",
                          r.epoch, maxEpochs, r.trainLoss, r.validationLoss, r.bestValidationLoss, r.bestEpoch, left, r.elapsedSeconds)
            + ", at most \(duration(bound)) more" + String(format: "  %.0f steps/s", r.stepsPerSecond)
        if terminal { print("\r" + line + "\u{1B}[K", terminator: "") } else { print(line) }
        fflush(stdout)
    }

    func finish() { if terminal { print() } }

    private func duration(_ seconds: Double) -> String {
        seconds < 90 ? String(format: "%.0f s", seconds) : seconds < 5400 ? String(format: "%.0f min", seconds / 60)
                                                                         : String(format: "%.1f h", seconds / 3600)
    }
}
