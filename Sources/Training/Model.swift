import Datasets
import Foundation
import IR
import Simulators

/// A trained model: the compiled graph, its weights, the data scalers and how training went.
///
/// On disk it is a directory. `model.json` is the commit record: it names the weights
/// (`weights-<hash>.safetensors`) and the graph (`graph-<hash>.sbig`) by content hash and is
/// written last, atomically. A run killed at any moment therefore leaves a `model.json` that
/// names complete files: the previous model or the new one, never a mixture. `ModelDirectory`
/// says what else sbic writes there, and what it removes.
public struct TrainedModel {
    public static let formatVersion = 1

    public var graph: Graph
    public var weights: [String: [Float]]
    public var thetaScaler: Scaler
    public var yScaler: Scaler
    public var summary: TrainingSummary
    /// The spec the graph was compiled from, when training started from one.
    public var spec: String?
    /// θ's names, when the data named them (a CSV header, a prior's names).
    public var parameterNames: [String]?
    /// The prior of the data, when it was given: what `--within-prior` and calibration use
    /// for a model without a built-in task.
    public var prior: NamedPrior?

    public init(graph: Graph, weights: [String: [Float]], thetaScaler: Scaler, yScaler: Scaler,
                summary: TrainingSummary, spec: String?, parameterNames: [String]? = nil, prior: NamedPrior? = nil) {
        self.graph = graph; self.weights = weights; self.thetaScaler = thetaScaler; self.yScaler = yScaler
        self.summary = summary; self.spec = spec; self.parameterNames = parameterNames; self.prior = prior
    }

    /// About what a saved model of `graph` takes on disk: its weights, its text and the spec.
    public static func bytesOnDisk(_ graph: Graph, spec: String?) -> Int {
        // Each tensor's entry in the safetensors header is well under 256 bytes.
        let weights = graph.parameters.filter { $0.kind == .weight }
            .reduce(0) { saturatingAdd($0, saturatingAdd(saturatingMultiply($1.shape.count, 4), 256)) }
        return saturatingAdd(saturatingAdd(weights, graph.text.utf8.count), spec?.utf8.count ?? 0)
    }

    /// Saves into `directory`, replacing the model there (see `ModelDirectory`).
    public func save(to directory: ModelDirectory) throws {
        let tensors = graph.parameters.filter { $0.kind == .weight }.map {
            ($0.name, SafeTensors.Tensor(shape: $0.shape.dims, values: weights[$0.name]!))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let scalers = String(decoding: try encoder.encode(["theta": thetaScaler, "y": yScaler]), as: UTF8.self)
        let encoded = try SafeTensors.encode(tensors, metadata: ["sbic.format": "\(Self.formatVersion)", "sbic.scalers": scalers])
        let files = [(encoded, "weights", "safetensors"), (Data(graph.text.utf8), "graph", "sbig")]
            + (spec.map { [(Data($0.utf8), "spec", "json")] } ?? [])
        try directory.save(files.map { (data: $0.0, kind: $0.1, extension: $0.2) }) { names in
            let record = Record(format: Self.formatVersion, name: graph.name, task: graph.task,
                                graph: names[1], weights: names[0], spec: names.count > 2 ? names[2] : nil,
                                given: graph.metadata["given"] ?? "", target: graph.metadata["target"] ?? "",
                                thetaScaler: thetaScaler, yScaler: yScaler, summary: summary,
                                parameterNames: parameterNames, prior: prior)
            return try encoder.encode(record) + Data("\n".utf8)
        }
    }

    /// Saves into the directory at `path`, claiming it for the length of the save.
    public func save(to path: String) throws {
        try save(to: ModelDirectory(claiming: path, overwrite: true))
    }

    public static func load(from directory: String) throws -> TrainedModel {
        guard FileManager.default.fileExists(atPath: directory) else {
            throw DataError(file: directory + "/model.json", reason: "no such model directory")
        }
        // A file that is missing is nil; one that is there but cannot be read (a folder, a pipe,
        // a device) is an error that says why.
        return try decode(directory: directory) { name in
            var status = stat()
            guard lstat(directory + "/" + name, &status) == 0 || errno != ENOENT else { return nil }
            return try readFile(directory + "/" + name)
        }
    }

    /// A model from the contents of its directory's files: `read` gives the bytes of a file
    /// by name, or nil when there is none. Everything that sampling or further training
    /// relies on is checked here, so that a damaged or hand-edited directory is refused with
    /// the file and field at fault: the graph's programs and sizes, the weights' shapes and
    /// values, and the scalers.
    public static func decode(directory: String, read: (String) throws -> Data?) throws -> TrainedModel {
        let path = directory + "/model.json"
        guard let data = try read("model.json") else {
            throw DataError(file: path, reason: "no model.json: this directory holds no trained model")
        }
        struct Version: Decodable { var format: Int }
        guard let version = try? JSONDecoder().decode(Version.self, from: data) else {
            throw DataError(file: path, reason: "not an sbic model record")
        }
        guard version.format == formatVersion else {
            throw DataError(file: path, reason: version.format > formatVersion
                ? "written by a newer sbic (model format \(version.format)); this sbic reads format \(formatVersion)"
                : "unknown model format \(version.format)")
        }
        let record: Record
        do { record = try JSONDecoder().decode(Record.self, from: data) } catch {
            throw DataError(file: path, reason: "malformed model record: \(describe(error))")
        }
        /// A file the record names: a plain name in the directory, never a path out of it.
        func file(_ field: String, _ name: String) throws -> (path: String, data: Data) {
            guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                throw DataError(file: path, field: field, reason: "\"\(name)\" is not a file name in the model directory")
            }
            guard let data = try read(name) else { throw DataError(file: directory + "/" + name, reason: "missing or unreadable") }
            return (directory + "/" + name, data)
        }

        let graphFile = try file("graph", record.graph)
        guard let graphText = String(data: graphFile.data, encoding: .utf8) else {
            throw DataError(file: graphFile.path, reason: "not UTF-8 text")
        }
        let graph = try Graph.parse(graphText, file: graphFile.path)
        let interface: GraphInterface
        do {
            interface = try GraphInterface(graph)
            _ = try interface.samplingBatch(of: graph)
        } catch let error as TrainingError {
            throw DataError(file: graphFile.path, reason: error.description)
        }
        for (field, scaler, columns) in [("theta_scaler", record.thetaScaler, interface.targetSize),
                                         ("y_scaler", record.yScaler, interface.givenSize)] {
            if let problem = scaler.problem(columns: columns) { throw DataError(file: path, field: field, reason: problem) }
        }
        if let names = record.parameterNames, names.count != interface.targetSize {
            throw DataError(file: path, field: "parameter_names", reason: "\(names.count) names for \(interface.targetSize) parameters")
        }
        if let prior = record.prior, prior.prior.dimension != interface.targetSize {
            throw DataError(file: path, field: "prior", reason: "\(prior.prior.dimension) dimensions for \(interface.targetSize) parameters")
        }

        let weightsFile = try file("weights", record.weights)
        let tensors = try SafeTensors.decode(weightsFile.data, file: weightsFile.path).tensors
        var weights: [String: [Float]] = [:]
        for p in graph.parameters where p.kind == .weight {
            guard let t = tensors[p.name], t.shape == p.shape.dims else {
                throw DataError(file: weightsFile.path, field: p.name, reason: "expected a tensor of shape \(p.shape.dims)")
            }
            // Non-finite weights would turn every sample into NaN without a word.
            if let index = t.values.firstIndex(where: { !$0.isFinite }) {
                throw DataError(file: weightsFile.path, field: p.name, reason: "value \(index) is \(t.values[index])")
            }
            weights[p.name] = t.values
        }
        // The spec is a record of where the graph came from; sampling does not need it, so a
        // model whose spec file went missing still loads.
        let spec = record.spec.flatMap { name in (try? file("spec", name)).flatMap { String(data: $0.data, encoding: .utf8) } }
        return TrainedModel(graph: graph, weights: weights, thetaScaler: record.thetaScaler, yScaler: record.yScaler,
                            summary: record.summary, spec: spec, parameterNames: record.parameterNames, prior: record.prior)
    }

    private struct Record: Codable {
        var format: Int
        var name: String
        var task: String?
        var graph: String
        var weights: String
        var spec: String?
        var given: String
        var target: String
        var thetaScaler: Scaler
        var yScaler: Scaler
        var summary: TrainingSummary
        var parameterNames: [String]?
        var prior: NamedPrior?

        enum CodingKeys: String, CodingKey {
            case format, name, task, graph, weights, spec, given, target, summary, prior
            case thetaScaler = "theta_scaler", yScaler = "y_scaler", parameterNames = "parameter_names"
        }
    }
}

/// How a training run went, as recorded in model.json.
public struct TrainingSummary: Codable, Equatable, Sendable {
    public var epochs: Int
    public var bestEpoch: Int
    public var bestValidationLoss: Double
    public var wallSeconds: Double
    /// CPU time of the training process over the same span, all its threads: unlike wall-clock
    /// time, other processes on a shared machine hardly change it. Nil in models saved before
    /// sbic recorded it.
    public var cpuSeconds: Double?
    public var microsecondsPerStep: Double
    public var simulations: Int
    public var simulationsDropped: Int
    public var seed: UInt64
    public var backend: String
    /// Recorded as "early stopping", "max epochs", "interrupted", "non-finite loss" or "running".
    public var stopped: StopReason

    public init(epochs: Int, bestEpoch: Int, bestValidationLoss: Double, wallSeconds: Double, cpuSeconds: Double? = nil,
                microsecondsPerStep: Double, simulations: Int, simulationsDropped: Int, seed: UInt64, backend: String,
                stopped: StopReason) {
        self.epochs = epochs; self.bestEpoch = bestEpoch; self.bestValidationLoss = bestValidationLoss
        self.wallSeconds = wallSeconds; self.cpuSeconds = cpuSeconds; self.microsecondsPerStep = microsecondsPerStep; self.simulations = simulations
        self.simulationsDropped = simulationsDropped; self.seed = seed; self.backend = backend; self.stopped = stopped
    }

    enum CodingKeys: String, CodingKey {
        case epochs, seed, backend, stopped, simulations
        case bestEpoch = "best_epoch", bestValidationLoss = "best_validation_loss", wallSeconds = "wall_seconds", cpuSeconds = "cpu_seconds"
        case microsecondsPerStep = "us_per_step", simulationsDropped = "simulations_dropped"
    }
}

extension TrainingSummary {
    /// Decoded field by field as Codable would, except `seed`: Foundation reports an integer out of
    /// UInt64's range (`-1`) as "not valid JSON", with no field, so it is named here.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let seed = try? c.decode(UInt64.self, forKey: .seed) else {
            throw DecodingError.dataCorruptedError(forKey: .seed, in: c, debugDescription: "not an integer from 0 to \(UInt64.max)")
        }
        self.init(epochs: try c.decode(Int.self, forKey: .epochs), bestEpoch: try c.decode(Int.self, forKey: .bestEpoch),
                  bestValidationLoss: try c.decode(Double.self, forKey: .bestValidationLoss),
                  wallSeconds: try c.decode(Double.self, forKey: .wallSeconds),
                  cpuSeconds: try c.decodeIfPresent(Double.self, forKey: .cpuSeconds),
                  microsecondsPerStep: try c.decode(Double.self, forKey: .microsecondsPerStep),
                  simulations: try c.decode(Int.self, forKey: .simulations),
                  simulationsDropped: try c.decode(Int.self, forKey: .simulationsDropped), seed: seed,
                  backend: try c.decode(String.self, forKey: .backend), stopped: try c.decode(StopReason.self, forKey: .stopped))
    }
}

/// Where a JSON record departs from what was expected, as a path and a reason.
private func describe(_ error: Error) -> String {
    func place(_ path: [CodingKey]) -> String {
        path.isEmpty ? "" : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." } + ": "
    }
    switch error {
    case DecodingError.keyNotFound(let key, let context): return place(context.codingPath) + "missing \"\(key.stringValue)\""
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
         DecodingError.dataCorrupted(let context):
        return place(context.codingPath) + context.debugDescription
    default: return "\(error)"
    }
}

/// FNV-1a, 64 bits: a file name that changes with the content (not a security hash).
func fnv1a(_ data: Data) -> UInt64 {
    data.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}
