import ArgumentParser
import Datasets
import Dispatch
import Foundation
import Interpreter
import IR
import JIT
import Passes
import Simulators
import Spec
import Training

/// The back end that runs compiled programs: native code from LLVM by default, the
/// interpreter (the reference) on request.
enum BackendChoice: String, ExpressibleByArgument, CaseIterable {
    case jit
    case interpreter

    var compiler: BackendCompiler {
        switch self {
        case .jit: return { program, parameters in try JITProgram(program, parameters: parameters) }
        case .interpreter: return { program, parameters in try InterpretedProgram(program, parameters: parameters) }
        }
    }
}

/// A graph from a compiled `.sbig`, or compiled now from a spec (which allows overriding
/// what is compiled into the graph, such as the batch size).
func loadGraph(_ path: String, batchSize: Int? = nil) throws -> (graph: Graph, spec: String?) {
    if path.hasSuffix(".json") {
        var spec = try ModelSpec.load(path: path)
        if let batchSize { spec.training.batchSize = batchSize }
        let (graph, _) = try Compiler().compile(spec)
        return (graph, try String(contentsOfFile: path, encoding: .utf8))
    }
    if batchSize != nil {
        throw ValidationError("the batch size is compiled into \(path); pass the spec (.json) to change it")
    }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw DataError(file: path, reason: FileManager.default.fileExists(atPath: path) ? "unreadable" : "no such file")
    }
    return (try Graph.parse(text, file: path), nil)
}

/// A matrix from a .npy or .csv file.
func readMatrix(_ path: String) throws -> Matrix {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "npy": return try NPY.read(path)
    case "csv": return try CSV.read(path)
    default: throw DataError(file: path, reason: "expected a .npy or .csv file")
    }
}

/// Writes a matrix as .npy or .csv (with a header), atomically.
func writeMatrix(_ m: Matrix, to path: String, header: [String]) throws {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "npy": try NPY.write(m, to: path, as: .float32)
    case "csv": try CSV.write(m, to: path, header: header)
    default: throw DataError(file: path, reason: "expected a .npy or .csv file name")
    }
}

/// Set by Ctrl-C (SIGINT) or SIGTERM; long loops poll it and stop cleanly.
final class Interrupt: @unchecked Sendable {
    static let shared = Interrupt()
    private let lock = NSLock()
    private var raised = false
    private var sources: [DispatchSourceSignal] = []

    var isRaised: Bool { lock.lock(); defer { lock.unlock() }; return raised }

    func install() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for s in [SIGINT, SIGTERM] {
            signal(s, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
            source.setEventHandler { [self] in lock.lock(); raised = true; lock.unlock() }
            source.resume()
            sources.append(source)
        }
    }
}

/// Fails early, before hours of work, if `directory` cannot take files.
func checkWritable(_ directory: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try AtomicFile.write(Data(count: 1 << 20), to: directory + "/.sbic-write-check")
        try FileManager.default.removeItem(atPath: directory + "/.sbic-write-check")
    } catch {
        throw DataError(file: directory, reason: "cannot write here (\(error)); choose another --out")
    }
}

func parameterNames(task: String?, count: Int) -> [String] {
    if let task, let simulator = try? Simulators.named(task), simulator.parameterDimension == count {
        return simulator.parameterNames
    }
    return (1...max(count, 1)).map { "theta_\($0)" }
}

