import Datasets
import Foundation
import IR
import Runtime
import Simulators

/// A whole training run, as `sbic train` and `sbic reproduce` do it: the data checked and
/// prepared, the graph's protocol (with any overrides), a JSON-lines log, the best model
/// checkpointed while training and saved at the end in a model directory.
public struct TrainingRun {
    public let graph: Graph
    /// The spec text, saved with the model when training started from one.
    public var spec: String?
    public var seed: UInt64
    public var backendName: String
    /// The protocol as the graph records it; overrides go here.
    public var settings: TrainingSettings
    public var checkpointInterval: Double = 10
    /// θ's names and the data's prior, recorded with the model when known.
    public var parameterNames: [String]?
    public var prior: NamedPrior?
    public var onEpoch: (EpochRecord) -> Void = { _ in }
    public var shouldStop: () -> Bool = { false }
    /// Built at once, so that a graph too large for memory fails before any simulation runs.
    public let trainer: Trainer

    public init(graph: Graph, spec: String?, seed: UInt64, backendName: String, backend: @escaping BackendCompiler) throws {
        self.graph = graph; self.spec = spec; self.seed = seed; self.backendName = backendName
        do { settings = try TrainingSettings(graph) } catch let error as MetadataError { throw TrainingError(error.description) }
        trainer = try Trainer(graph: graph, backend: backend)
    }

    /// Splits and scales θ and y (already checked against the graph's interface).
    public func prepare(theta: Matrix, y: Matrix) throws -> TrainingData {
        try TrainingData(theta: theta, y: y, validationFraction: settings.validationFraction,
                         thetaScaling: settings.scaling.target, yScaling: settings.scaling.given,
                         minimumTrainingRows: trainer.batch, seed: seed)
    }

    /// Trains and saves in `directory`; returns the saved model and how training went.
    public func run(_ data: TrainingData, simulations: Int, in directory: ModelDirectory) throws -> (TrainedModel, TrainingResult) {
        let start = Date(), startCPU = processCPUSeconds()
        var options = TrainingOptions(maxEpochs: settings.maxEpochs, patience: settings.patience,
                                      learningRate: settings.learningRate, seed: seed)
        options.checkpointInterval = checkpointInterval
        let log = try TrainingLog(directory.path + "/" + ModelDirectory.logName)
        // The graph saved with the model records the settings this run used, overrides
        // included, not only those it was compiled with.
        var recorded = graph
        recorded.metadata.merge(try Metadata.encode(settings, under: TrainingSettings.prefix)) { _, new in new }
        func model(_ weights: [String: [Float]], epochs: Int, best: EpochRecord, stopped: StopReason, usPerStep: Double) -> TrainedModel {
            let summary = TrainingSummary(epochs: epochs, bestEpoch: best.bestEpoch, bestValidationLoss: best.bestValidationLoss,
                                          wallSeconds: Date().timeIntervalSince(start),
                                          cpuSeconds: processCPUSeconds() - startCPU, microsecondsPerStep: usPerStep,
                                          simulations: simulations, simulationsDropped: data.dropped, seed: seed,
                                          backend: backendName, stopped: stopped)
            return TrainedModel(graph: recorded, weights: weights, thetaScaler: data.thetaScaler, yScaler: data.yScaler,
                                summary: summary, spec: spec, parameterNames: parameterNames, prior: prior)
        }
        options.onEpoch = { record in
            log.append(record)
            onEpoch(record)
        }
        options.onCheckpoint = { weights, record in
            try model(weights, epochs: record.epoch, best: record, stopped: .running, usPerStep: 0).save(to: directory)
        }
        options.shouldStop = shouldStop
        let result = try trainer.train(data, options)
        let trained = model(result.weights, epochs: result.epochs, best: result.best, stopped: result.stopped,
                            usPerStep: result.microsecondsPerStep)
        try trained.save(to: directory)
        return (trained, result)
    }
}

/// The JSON-lines log: one object per epoch, appended.
final class TrainingLog {
    private let path: String
    private let handle: FileHandle
    private let encoder = JSONEncoder()
    private var failed = false

    init(_ path: String) throws {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
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
            FileHandle.standardError.write(Data("warning: \(path): cannot append (\(error.localizedDescription)); training goes on without it\n".utf8))
        } catch {}
    }
}

/// User plus system CPU time of this process so far, all threads.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
