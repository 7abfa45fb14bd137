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
    /// Where the data came from, recorded with the model; `simulations` and `dropped` are
    /// filled in by `run`.
    public var provenance: DataProvenance?
    /// Where training starts, and the scalers of the model it starts from (`resume`, `initialize`).
    public private(set) var start: TrainingStart = .fresh
    public private(set) var scalers: (theta: Scaler, y: Scaler)?
    private var initializedFrom: String?
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
                         minimumTrainingRows: trainer.batch, seed: seed, scalers: scalers)
    }

    /// Trains and saves in `directory`; returns the saved model and how training went.
    public func run(_ data: TrainingData, simulations: Int, in directory: ModelDirectory) throws -> (TrainedModel, TrainingResult) {
        let start = Date(), startCPU = processCPUSeconds()
        var options = TrainingOptions(maxEpochs: settings.maxEpochs, patience: settings.patience,
                                      learningRate: settings.learningRate, seed: seed)
        options.checkpointInterval = checkpointInterval
        options.start = self.start
        var provenance = self.provenance
        provenance?.simulations = simulations
        provenance?.dropped = data.dropped
        let log = try TrainingLog(directory.path + "/" + ModelDirectory.logName)
        // The graph saved with the model records the settings this run used, overrides
        // included, not only those it was compiled with.
        var recorded = graph
        recorded.metadata.merge(try Metadata.encode(settings, under: TrainingSettings.prefix)) { _, new in new }
        func model(_ weights: [String: [Float]], epochs: Int, best: EpochRecord, stopped: StopReason, usPerStep: Double,
                   state: TrainingState?) -> TrainedModel {
            let summary = TrainingSummary(epochs: epochs, bestEpoch: best.bestEpoch, bestValidationLoss: best.bestValidationLoss,
                                          wallSeconds: Date().timeIntervalSince(start),
                                          cpuSeconds: processCPUSeconds() - startCPU, microsecondsPerStep: usPerStep,
                                          simulations: simulations, simulationsDropped: data.dropped, seed: seed,
                                          backend: backendName, stopped: stopped)
            return TrainedModel(graph: recorded, weights: weights, thetaScaler: data.thetaScaler, yScaler: data.yScaler,
                                summary: summary, spec: spec, parameterNames: parameterNames, prior: prior,
                                provenance: provenance, initializedFrom: initializedFrom, state: state)
        }
        options.onEpoch = { record in
            log.append(record)
            onEpoch(record)
        }
        options.onCheckpoint = { weights, record, state in
            try model(weights, epochs: record.epoch, best: record, stopped: .running, usPerStep: 0, state: state).save(to: directory)
        }
        options.shouldStop = shouldStop
        let result = try trainer.train(data, options)
        let trained = model(result.weights, epochs: result.epochs, best: result.best, stopped: result.stopped,
                            usPerStep: result.microsecondsPerStep, state: result.state)
        try trained.save(to: directory)
        return (trained, result)
    }
}

extension TrainingRun {
    /// Continues training the model saved in `directory` from its saved state, as if it had
    /// not stopped: the same graph (up to the settings a run may override), the same data
    /// (`provenance`, set before, must match the model's) and seed, its scalers, and its
    /// settings unless overridden afterwards.
    public mutating func resume(_ model: TrainedModel, from directory: String, graphFile: String, wording: Wording = .commandLine) throws {
        let record = directory + "/model.json"
        try Self.checkSameGraph(model.graph, directory: directory, as: graph, graphFile: graphFile)
        guard let state = try TrainingState.load(from: directory, graph: graph) else {
            throw DataError(file: record, field: "state", reason: "names no training state (the model was saved by an older sbic), "
                            + "so it cannot be resumed; \(wording.initFrom) starts from its weights with a fresh optimizer")
        }
        guard let recorded = model.provenance else {
            throw DataError(file: record, field: "data", reason: "does not say what data the model was trained on "
                            + "(it was saved by an older sbic), so it cannot be resumed on the same data")
        }
        if let provenance, let (field, reason) = provenance.difference(from: recorded) {
            throw DataError(file: record, field: "data.\(field)", reason: reason + "; resuming continues on the same data "
                            + "(\(wording.initFrom) starts from the model's weights on new data)")
        }
        guard seed == model.summary.seed else {
            throw DataError(file: record, field: "summary.seed", reason: "the model was trained with seed \(model.summary.seed), "
                            + "this run has \(seed); the seed splits the data, so resuming needs the same one")
        }
        do { settings = try TrainingSettings(model.graph) } catch let error as MetadataError { throw TrainingError(error.description) }
        start = .resume(state, best: model.weights)
        scalers = (model.thetaScaler, model.yScaler)
        initializedFrom = model.initializedFrom
    }

    /// Starts from the weights of the model saved in `directory` (fine-tuning), with a fresh
    /// optimizer and the model's scalers: its weights were learnt on data scaled by them.
    public mutating func initialize(from model: TrainedModel, directory: String, graphFile: String, wording: Wording = .commandLine) throws {
        let theirs = Dictionary(model.graph.parameters.filter { $0.kind == .weight }.map { ($0.name, $0.shape.dims) }) { a, _ in a }
        let ours = graph.parameters.filter { $0.kind == .weight }
        for p in ours {
            guard let shape = theirs[p.name] else {
                throw TrainingError("\(wording.initFrom) \(directory): the model has no weight \(p.name), which \(graphFile) has; "
                                    + "it can start only a graph with the same weights")
            }
            guard shape == p.shape.dims else {
                throw TrainingError("\(wording.initFrom) \(directory): the weight \(p.name) has shape \(shape) there and \(p.shape.dims) in \(graphFile)")
            }
        }
        let names = Set(ours.map(\.name))
        if let extra = model.graph.parameters.first(where: { $0.kind == .weight && !names.contains($0.name) }) {
            throw TrainingError("\(wording.initFrom) \(directory): the model has a weight \(extra.name), which \(graphFile) has not; "
                                + "it can start only a graph with the same weights")
        }
        start = .weights(model.weights)
        scalers = (model.thetaScaler, model.yScaler)
        let weightsFile = ModelDirectory.previousFiles(directory)?[1]
        initializedFrom = URL(fileURLWithPath: directory).standardizedFileURL.path + (weightsFile.map { "/" + $0 } ?? "")
    }

    /// Refuses a model whose graph is not `graph`, but for the settings a run may override.
    static func checkSameGraph(_ saved: Graph, directory: String, as graph: Graph, graphFile: String) throws {
        func text(_ g: Graph) -> [Substring] {
            var g = g
            for key in ["learning_rate", "max_epochs", "patience"] where g.metadata["training." + key] != nil {
                g.metadata["training." + key] = "(overridable)"
            }
            return g.text.split(separator: "\n", omittingEmptySubsequences: false)
        }
        let (a, b) = (text(saved), text(graph))
        guard a != b else { return }
        let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        let name = ModelDirectory.previousFiles(directory)?.first ?? "graph"
        func shown(_ lines: [Substring]) -> String { line < lines.count ? "\"\(lines[line])\"" : "its end" }
        throw DataError(file: directory + "/" + name, row: line + 1,
                        reason: "the model's graph differs from \(graphFile) (\(shown(a)) there, \(shown(b)) in \(graphFile)); "
                                + "a model resumes only with the graph it was trained with")
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
