import Datasets
import Foundation
import Interpreter
import IR

/// A whole training run, as `sbic train` and `sbic reproduce` do it: the data checked and
/// prepared, the graph's protocol (with any overrides), a JSON-lines log, the best model
/// checkpointed while training and saved at the end in `directory`.
public struct TrainingRun {
    public var graph: Graph
    /// The spec text, saved with the model when training started from one.
    public var spec: String?
    public var directory: String
    public var seed: UInt64
    public var backendName: String
    public var backend: BackendCompiler
    public var maxEpochs: Int?
    public var patience: Int?
    public var learningRate: Double?
    public var onEpoch: (EpochRecord) -> Void = { _ in }
    public var shouldStop: () -> Bool = { false }

    public init(graph: Graph, spec: String?, directory: String, seed: UInt64, backendName: String, backend: @escaping BackendCompiler) {
        self.graph = graph; self.spec = spec; self.directory = directory; self.seed = seed
        self.backendName = backendName; self.backend = backend
    }

    /// A number the graph's metadata must hold (a hand-edited .sbig may not).
    public func setting(_ key: String) throws -> Double {
        guard let text = graph.metadata["training." + key], let value = Double(text), value.isFinite else {
            throw TrainingError("\(graph.name): meta training.\(key) is missing or not a number")
        }
        return value
    }

    /// Checks that θ and y fit the graph (`sources` name them in errors), then splits and scales them.
    public func prepare(theta: Matrix, y: Matrix, sources: (theta: String, y: String)) throws -> TrainingData {
        for (m, key, source) in [(theta, "target", sources.theta), (y, "given", sources.y)] {
            let expected = Int(graph.metadata[key + ".size"] ?? "") ?? -1
            guard m.columns == expected else {
                throw DataError(file: source, reason: "has \(m.columns) columns; \(graph.name) expects \(expected) for \(graph.metadata[key] ?? key)")
            }
        }
        guard let batch = graph.program("train_step")?.inputs.first(where: { $0.name == graph.metadata["target"] })?.shape.dims.first else {
            throw TrainingError("\(graph.name) has no train_step program")
        }
        return try TrainingData(theta: theta, y: y, validationFraction: setting("validation_fraction"),
                                scaling: Scaler.Kind(rawValue: graph.metadata["training.scaling"] ?? "") ?? .standard,
                                minimumTrainingRows: batch, seed: seed)
    }

    /// Trains and saves; returns the saved model and how training went.
    public func run(_ data: TrainingData, simulations: Int) throws -> (TrainedModel, TrainingResult) {
        let start = Date()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let trainer = try Trainer(graph: graph, backend: backend)
        var options = TrainingOptions(maxEpochs: try maxEpochs ?? Int(setting("max_epochs")),
                                      patience: try patience ?? Int(setting("patience")),
                                      learningRate: try learningRate ?? setting("learning_rate"), seed: seed)
        let log = try TrainingLog(directory + "/train.jsonl")
        func model(_ weights: [String: [Float]], epochs: Int, best: EpochRecord, stopped: String, usPerStep: Double) -> TrainedModel {
            let summary = TrainingSummary(epochs: epochs, bestEpoch: best.bestEpoch, bestValidationLoss: best.bestValidationLoss,
                                          wallSeconds: Date().timeIntervalSince(start), microsecondsPerStep: usPerStep,
                                          simulations: simulations, simulationsDropped: data.dropped, seed: seed,
                                          backend: backendName, stopped: stopped)
            return TrainedModel(graph: graph, weights: weights, thetaScaler: data.thetaScaler, yScaler: data.yScaler,
                                summary: summary, spec: spec)
        }
        options.onEpoch = { record in
            log.append(record)
            onEpoch(record)
        }
        options.onCheckpoint = { weights, record in
            try model(weights, epochs: record.epoch, best: record, stopped: "running", usPerStep: 0).save(to: directory)
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
    private let handle: FileHandle
    private let encoder = JSONEncoder()

    init(_ path: String) throws {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw DataError(file: path, reason: "cannot open for writing") }
        handle.seekToEndOfFile()
        self.handle = handle
        encoder.outputFormatting = [.sortedKeys]
    }

    func append(_ record: EpochRecord) {
        guard let data = try? encoder.encode(record) else { return }
        handle.write(data + Data("\n".utf8))
    }
}
