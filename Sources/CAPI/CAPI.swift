import Datasets
import Foundation
import Interpreter
import IR
import JIT
import Passes
import Runtime
import Simulators
import Spec
import Training

// The C interface of sbic.h, for Python (ctypes) and any other caller that can load a shared
// library. Each function catches every error, keeps its text for sbic_last_error() and
// returns -1 or NULL: an error must never unwind into C.

/// The last error of each thread, as a C string owned here.
private final class ErrorText {
    let pointer: UnsafeMutablePointer<CChar>
    init(_ text: String) { pointer = strdup(text) }
    deinit { free(pointer) }
}

private let errorKey = "sbic.last_error"

private func fail(_ error: Error) {
    Thread.current.threadDictionary[errorKey] = ErrorText("\(error)")
}

/// Runs `body`, turning an error into `failure` and the thread's last error.
private func guarded<T>(_ failure: T, _ body: () throws -> T) -> T {
    do { return try body() } catch {
        fail(error)
        return failure
    }
}

private struct InterfaceError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

private func backend(_ name: String?) throws -> (name: String, compiler: BackendCompiler) {
    switch name ?? "jit" {
    case "jit": return ("jit", JIT.executables)
    case "interpreter": return ("interpreter", InterpretedProgram.executables)
    case let other: throw InterfaceError("unknown back end \"\(other)\": jit or interpreter")
    }
}

private let builtInTasks = Simulators.sizes.map(BuiltInTask.init)

private let versionText = strdup(sbicVersion)!
private let noError = strdup("")!

@_cdecl("sbic_version")
public func sbic_version() -> UnsafePointer<CChar> { UnsafePointer(versionText) }

@_cdecl("sbic_last_error")
public func sbic_last_error() -> UnsafePointer<CChar> {
    UnsafePointer((Thread.current.threadDictionary[errorKey] as? ErrorText)?.pointer ?? noError)
}

// MARK: Models and sampling

/// What a loaded model needs to draw samples: the sampler, the names and the prior's support.
final class LoadedModel {
    let model: TrainedModel
    let sampler: PosteriorSampler
    let names: [UnsafeMutablePointer<CChar>]
    let prior: Prior?
    let directory: String
    let backend: BackendCompiler
    /// Compiled on the first call that needs it: sampling alone never pays for it.
    private var density: PosteriorDensity?

    init(directory: String, backend: @escaping BackendCompiler) throws {
        self.directory = directory
        self.backend = backend
        model = try TrainedModel.load(from: directory)
        do {
            sampler = try PosteriorSampler(model, backend: backend)
        } catch let error as TrainingError {
            throw DataError(file: directory, reason: error.description)
        }
        names = model.thetaNames.map { strdup($0) }
        prior = try model.prior()
    }

    deinit { names.forEach { free($0) } }

    func posteriorDensity() throws -> PosteriorDensity {
        if let density { return density }
        do {
            density = try PosteriorDensity(model, backend: backend)
        } catch let error as TrainingError {
            throw DataError(file: directory, reason: error.description)
        }
        return density!
    }
}

@_cdecl("sbic_model_load")
public func sbic_model_load(_ directory: UnsafePointer<CChar>?, _ backendName: UnsafePointer<CChar>?) -> OpaquePointer? {
    guarded(nil) {
        guard let directory else { throw InterfaceError("no model directory given") }
        let loaded = try LoadedModel(directory: String(cString: directory), backend: backend(backendName.map { String(cString: $0) }).compiler)
        return OpaquePointer(Unmanaged.passRetained(loaded).toOpaque())
    }
}

private func loaded(_ model: OpaquePointer?) -> LoadedModel? {
    model.map { Unmanaged<LoadedModel>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
}

@_cdecl("sbic_model_free")
public func sbic_model_free(_ model: OpaquePointer?) {
    if let model { Unmanaged<LoadedModel>.fromOpaque(UnsafeRawPointer(model)).release() }
}

@_cdecl("sbic_model_parameter_dimension")
public func sbic_model_parameter_dimension(_ model: OpaquePointer?) -> Int64 {
    Int64(loaded(model)?.sampler.parameterDimension ?? -1)
}

@_cdecl("sbic_model_observation_dimension")
public func sbic_model_observation_dimension(_ model: OpaquePointer?) -> Int64 {
    Int64(loaded(model)?.sampler.observationDimension ?? -1)
}

@_cdecl("sbic_model_parameter_name")
public func sbic_model_parameter_name(_ model: OpaquePointer?, _ index: Int64) -> UnsafePointer<CChar>? {
    guarded(nil) {
        guard let model = loaded(model) else { throw InterfaceError("no model given") }
        guard index >= 0, index < model.names.count else {
            throw InterfaceError("parameter \(index) does not exist: the model has \(model.names.count)")
        }
        return UnsafePointer(model.names[Int(index)])
    }
}

@_cdecl("sbic_model_sample")
public func sbic_model_sample(_ model: OpaquePointer?, _ y: UnsafePointer<Double>?, _ observations: Int64, _ count: Int64,
                              _ seed: UInt64, _ withinPrior: Int32, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(-1) {
        guard let model = loaded(model), let y, let out else { throw InterfaceError("a model, observations and an output buffer are needed") }
        guard observations > 0 else { throw InterfaceError("the number of observations must be positive, not \(observations)") }
        guard count > 0 else { throw InterfaceError("the number of samples must be positive, not \(count)") }
        let m = model.sampler.observationDimension, d = model.sampler.parameterDimension
        let rows = Int(observations)
        let matrix = try Matrix(rows: rows, columns: m, values: Array(UnsafeBufferPointer(start: y, count: saturatingMultiply(rows, m))))
        var support: ((ArraySlice<Double>) -> Bool)?
        if withinPrior != 0 {
            guard let prior = model.prior else {
                throw InterfaceError("within_prior: the model has no prior (it names no built-in task and was trained without one)")
            }
            support = prior.contains
        }
        let drawn = try model.sampler.sample(matrix, count: Int(count), seed: seed, within: support)
        var offset = 0
        for samples in drawn {
            samples.samples.values.withUnsafeBufferPointer { (out + offset).update(from: $0.baseAddress!, count: $0.count) }
            offset += samples.samples.values.count
        }
        precondition(offset == rows * Int(count) * d)
        return 0
    }
}

@_cdecl("sbic_model_log_prob_is_exact")
public func sbic_model_log_prob_is_exact(_ model: OpaquePointer?) -> Int32 {
    guarded(-1) {
        guard let model = loaded(model) else { throw InterfaceError("no model given") }
        return try model.posteriorDensity().isExact ? 1 : 0
    }
}

@_cdecl("sbic_model_log_prob")
public func sbic_model_log_prob(_ model: OpaquePointer?, _ theta: UnsafePointer<Double>?, _ rows: Int64, _ y: UnsafePointer<Double>?,
                                _ observations: Int64, _ samples: Int64, _ seed: UInt64, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded(-1) {
        guard let model = loaded(model), let theta, let y, let out else {
            throw InterfaceError("a model, θ, observations and an output buffer are needed")
        }
        guard rows > 0 else { throw InterfaceError("the number of rows of θ must be positive, not \(rows)") }
        guard observations == 1 || observations == rows else {
            throw InterfaceError("\(observations) observations for \(rows) rows of θ: give one, or one per row")
        }
        guard samples > 0 else { throw InterfaceError("the number of samples must be positive, not \(samples)") }
        let density = try model.posteriorDensity()
        let d = density.parameterDimension, m = density.observationDimension
        let (r, o) = (Int(rows), Int(observations))
        let thetaMatrix = try Matrix(rows: r, columns: d, values: Array(UnsafeBufferPointer(start: theta, count: saturatingMultiply(r, d))))
        let yMatrix = try Matrix(rows: o, columns: m, values: Array(UnsafeBufferPointer(start: y, count: saturatingMultiply(o, m))))
        let values = try density.logDensity(of: thetaMatrix, given: yMatrix, samples: Int(samples), seed: seed)
        values.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: $0.count) }
        return 0
    }
}

// MARK: Compiling and training

@_cdecl("sbic_compile")
public func sbic_compile(_ specText: UnsafePointer<CChar>?, _ source: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
    guarded(nil) {
        guard let specText else { throw InterfaceError("no spec given") }
        let spec = try ModelSpec.parse(String(cString: specText), file: source.map { String(cString: $0) }, tasks: builtInTasks)
        return strdup(try Compiler().compile(spec).0.text)
    }
}

@_cdecl("sbic_string_free")
public func sbic_string_free(_ text: UnsafeMutablePointer<CChar>?) { free(text) }

/// Called after every epoch with the epoch's record as JSON (the line train.jsonl gets).
public typealias EpochCallback = @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void

/// Raised by sbic_interrupt, cleared when training starts.
private final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    var value: Bool {
        get { lock.lock(); defer { lock.unlock() }; return raised }
        set { lock.lock(); raised = newValue; lock.unlock() }
    }
}
private let interruptFlag = InterruptFlag()

@_cdecl("sbic_interrupt")
public func sbic_interrupt() { interruptFlag.value = true }

@_cdecl("sbic_train")
public func sbic_train(_ graphText: UnsafePointer<CChar>?, _ theta: UnsafePointer<Double>?, _ rows: Int64, _ thetaColumns: Int64,
                       _ y: UnsafePointer<Double>?, _ yColumns: Int64, _ directory: UnsafePointer<CChar>?,
                       _ settingsText: UnsafePointer<CChar>?, _ onEpoch: EpochCallback?, _ context: UnsafeMutableRawPointer?) -> Int32 {
    guarded(-1) {
        guard let graphText, let theta, let y, let directory else { throw InterfaceError("a graph, θ, y and a directory are needed") }
        guard rows > 0, thetaColumns > 0, yColumns > 0 else {
            throw InterfaceError("θ and y must hold at least one row and column (\(rows) rows, \(thetaColumns) and \(yColumns) columns)")
        }
        let settings = try TrainSettings(settingsText.map { String(cString: $0) })
        let text = String(cString: graphText)
        let graph: Graph, spec: String?
        if text.drop(while: \.isWhitespace).first == "{" {
            var parsed = try ModelSpec.parse(text, file: "spec", tasks: builtInTasks)
            if let batchSize = settings.batchSize { parsed.training.batchSize = batchSize }
            (graph, spec) = (try Compiler().compile(parsed).0, text)
        } else {
            guard settings.batchSize == nil else {
                throw InterfaceError("batch_size is compiled into the graph; pass the spec to change it")
            }
            (graph, spec) = (try Graph.parse(text, file: "graph"), nil)
        }
        let path = String(cString: directory)
        // The model to continue or start from, read before anything is written.
        let source = try (settings.resume ?? settings.initFrom).map { try TrainedModel.load(from: $0) }
        func same(_ a: String, _ b: String) -> Bool { URL(fileURLWithPath: a).standardizedFileURL == URL(fileURLWithPath: b).standardizedFileURL }
        // Resuming into the model's own directory replaces the model it continues.
        let overwrite = settings.overwrite || settings.resume.map { same($0, path) } == true
        try ModelDirectory.check(path, overwrite: overwrite, wording: .keywords)
        let interface = try GraphInterface(graph)
        let (r, p, m) = (Int(rows), Int(thetaColumns), Int(yColumns))
        for (name, variable, columns, size) in [("θ", interface.target, p, interface.targetSize), ("y", interface.given, m, interface.givenSize)]
        where columns != size {
            throw InterfaceError("\(name) has \(columns) columns; \(graph.name) expects \(size) for \(variable)")
        }
        if let names = settings.parameterNames, names.count != p {
            throw InterfaceError("parameter_names has \(names.count) names for θ's \(p) columns")
        }
        let chosen = try backend(settings.backend)
        let seed = settings.seed ?? (settings.resume == nil ? nil : source?.summary.seed) ?? 1
        var run = try TrainingRun(graph: graph, spec: spec, seed: seed, backendName: chosen.name, backend: chosen.compiler)
        if let interval = settings.checkpointInterval { run.checkpointInterval = interval }
        if let prior = settings.prior {
            guard prior.prior.dimension == p else {
                throw InterfaceError("the prior has \(prior.prior.dimension) dimensions for θ's \(p) columns")
            }
            run.prior = prior
        }
        run.parameterNames = settings.parameterNames ?? settings.prior?.names
        let (thetaValues, yValues) = (UnsafeBufferPointer(start: theta, count: r * p), UnsafeBufferPointer(start: y, count: r * m))
        run.provenance = .arrays(theta: thetaValues, y: yValues, simulations: r)
        let graphName = settings.graphSource ?? "the graph given"
        if let source, let resume = settings.resume {
            try run.resume(source, from: resume, graphFile: graphName, wording: .keywords)
        } else if let source, let initFrom = settings.initFrom {
            try run.initialize(from: source, directory: initFrom, graphFile: graphName, wording: .keywords)
        }
        if let source {
            run.prior = run.prior ?? source.prior
            run.parameterNames = run.parameterNames ?? source.parameterNames
        }
        // The overrides apply to a resumed model's settings too.
        if let maxEpochs = settings.maxEpochs { run.settings.maxEpochs = maxEpochs }
        if let patience = settings.patience { run.settings.patience = patience }
        if let learningRate = settings.learningRate { run.settings.learningRate = learningRate }
        let thetaMatrix = try Matrix(rows: r, columns: p, values: Array(thetaValues))
        let yMatrix = try Matrix(rows: r, columns: m, values: Array(yValues))
        let data = try run.prepare(theta: thetaMatrix, y: yMatrix)
        if let onEpoch {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            run.onEpoch = { record in
                guard let json = try? encoder.encode(record) else { return }
                String(decoding: json, as: UTF8.self).withCString { onEpoch($0, context) }
            }
        }
        interruptFlag.value = false
        run.shouldStop = { interruptFlag.value }
        // Held until training ends: no other run may write here meanwhile.
        let claimed = try ModelDirectory(claiming: path, overwrite: overwrite, wording: .keywords)
        let result: TrainingResult
        do { (_, result) = try run.run(data, simulations: r, in: claimed) } catch {
            // A run that fails before it saves a model leaves no directory it created behind.
            claimed.removeIfUnsaved()
            throw error
        }
        if result.stopped == .nonFiniteLoss {
            throw InterfaceError("the loss became NaN or infinite; kept the best model (epoch \(result.best.bestEpoch)) in \(path)")
        }
        return 0
    }
}

/// The overrides sbic_train takes, from a JSON object. An unknown key or a value of the wrong
/// kind is refused by name: a misspelt setting must not be silently ignored.
struct TrainSettings {
    var seed: UInt64?
    var maxEpochs: Int?, patience: Int?, batchSize: Int?
    var learningRate: Double?, checkpointInterval: Double?
    var backend: String?
    var overwrite = false
    var parameterNames: [String]?
    var prior: NamedPrior?
    /// A model directory to continue training (`resume`) or to start from its weights (`init_from`).
    var resume: String?, initFrom: String?
    /// How errors name the graph: the spec's file, when the caller says.
    var graphSource: String?

    static let keys = ["backend", "batch_size", "checkpoint_interval", "graph_source", "init_from", "learning_rate", "max_epochs",
                       "overwrite", "parameter_names", "patience", "prior", "resume", "seed"]

    init(_ text: String?) throws {
        guard let text, !text.isEmpty else { return }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw InterfaceError("the settings are not a JSON object")
        }
        for key in object.keys.sorted() where !Self.keys.contains(key) {
            throw InterfaceError("unknown setting \"\(key)\"; the settings are \(Self.keys.joined(separator: ", "))")
        }
        func count(_ key: String) throws -> Int? {
            guard let value = object[key] else { return nil }
            guard let number = jsonNumber(value), let int = Int(exactly: number), int > 0, int <= Int(Int32.max) else {
                throw InterfaceError("\(key) must be a positive integer, not \(value)")
            }
            return int
        }
        func positive(_ key: String, allowZero: Bool = false) throws -> Double? {
            guard let value = object[key] else { return nil }
            guard let number = jsonNumber(value), number.isFinite, number > 0 || (allowZero && number == 0) else {
                throw InterfaceError("\(key) must be a \(allowZero ? "non-negative" : "positive") number, not \(value)")
            }
            return number
        }
        maxEpochs = try count("max_epochs")
        patience = try count("patience")
        batchSize = try count("batch_size")
        learningRate = try positive("learning_rate")
        checkpointInterval = try positive("checkpoint_interval", allowZero: true)
        if let value = object["seed"] {
            // A seed above 2⁵³ is not exact as a double; its decimal digits are.
            guard jsonNumber(value) != nil, let number = value as? NSNumber,
                  let seed = UInt64(number.stringValue) ?? jsonNumber(value).flatMap({ UInt64(exactly: $0) }) else {
                throw InterfaceError("seed must be a non-negative integer, not \(value)")
            }
            self.seed = seed
        }
        if let value = object["backend"] {
            guard let name = value as? String else { throw InterfaceError("backend must be \"jit\" or \"interpreter\", not \(value)") }
            backend = name
        }
        if let value = object["overwrite"] {
            guard let flag = jsonBoolean(value) else { throw InterfaceError("overwrite must be true or false, not \(value)") }
            overwrite = flag
        }
        if let value = object["parameter_names"] {
            // The names head CSV columns: no commas, quotes or line breaks.
            guard let names = value as? [String],
                  names.allSatisfy({ !$0.isEmpty && !$0.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) }) else {
                throw InterfaceError("parameter_names must be a list of non-empty strings without commas, quotes or line breaks")
            }
            parameterNames = names
        }
        func string(_ key: String) throws -> String? {
            guard let value = object[key] else { return nil }
            guard let text = value as? String, !text.isEmpty else { throw InterfaceError("\(key) must be a path, not \(value)") }
            return text
        }
        resume = try string("resume")
        initFrom = try string("init_from")
        graphSource = try string("graph_source")
        guard resume == nil || initFrom == nil else { throw InterfaceError("give resume or init_from, not both") }
        if let value = object["prior"] {
            prior = try NamedPrior.parse(try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]), file: "prior")
        }
    }
}
