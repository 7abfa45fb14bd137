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

/// `--backend`, as every command that runs a graph declares it.
struct BackendOption: ParsableArguments {
    @Option(help: "Back end: \(BackendChoice.allCases.map(\.rawValue).joined(separator: ", ")).")
    var backend = BackendChoice.jit
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
    let data = try readFile(path)
    guard let text = String(data: data, encoding: .utf8) else { throw DataError(file: path, reason: "not UTF-8 text") }
    return (try Graph.parse(text, file: path), nil)
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

/// Fails early, before hours of work, if `directory` cannot take a model of `bytes` bytes:
/// it must be creatable, take a file, and have the space.
func checkWritable(_ directory: String, needing bytes: Int) throws {
    func failure(_ reason: String) -> DataError { DataError(file: directory, reason: reason + "; choose another --out") }
    try createDirectory(directory, failure)
    do {
        try AtomicFile.write(Data(count: 1 << 20), to: directory + "/.sbic-write-check")
        try FileManager.default.removeItem(atPath: directory + "/.sbic-write-check")
    } catch let error as DataError {
        throw failure("cannot write here (\(error.reason))")
    } catch {
        throw failure("cannot write here (\(error.localizedDescription))")
    }
    var volume = statvfs()
    if statvfs(directory, &volume) == 0 {
        let free = Int(clamping: UInt64(volume.f_bavail).multipliedReportingOverflow(by: UInt64(volume.f_frsize)).partialValue)
        guard free >= bytes else {
            throw failure("\(formatBytes(free)) free, and the model needs \(formatBytes(bytes))")
        }
    }
}

/// Creates `directory` and its missing parents, failing with the system's reason: Foundation's
/// errors say only that "the operation could not be completed".
private func createDirectory(_ directory: String, _ failure: (String) -> DataError) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw failure("\(directory) is a file, not a directory") }
        return
    }
    let parent = (directory as NSString).deletingLastPathComponent
    if !parent.isEmpty, parent != directory { try createDirectory(parent, failure) }
    guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
        throw failure("cannot create \(directory): \(String(cString: strerror(errno)))")
    }
}

/// Refuses a count of simulations that could not be held: θ and y as doubles, and their
/// copies (the split and scaled sets for training, the encoded files for `simulate`).
func checkMemory(simulations count: Int, of simulator: any Simulator, task: String) throws {
    let columns = simulator.parameterDimension + simulator.observationDimension
    try MemoryBudget.require(saturatingMultiply(saturatingMultiply(count, columns), 3 * MemoryLayout<Double>.stride),
                             for: "\(count) simulations of \(task)")
}

/// Runs `body`, naming `file` in the `TrainingError` it throws: the library says what is
/// wrong, the command knows which file it came from.
func inFile<T>(_ file: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as TrainingError {
        throw DataError(file: file, reason: error.description)
    }
}


/// The numbers of a .npy or .csv file (errors name the file and the row).
func readMatrix(_ path: String) throws -> Matrix { try DataFile.read(path).matrix }
