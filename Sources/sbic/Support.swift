import ArgumentParser
import Datasets
import Dispatch
import Foundation
import Interpreter
import IR
import JIT
import Passes
import Runtime
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
        case .jit: return JIT.executables
        case .interpreter: return InterpretedProgram.executables
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
        let text = try ModelSpec.read(path: path)
        var spec = try ModelSpec.parse(text, file: path, tasks: builtInTasks)
        if let batchSize { spec.training.batchSize = batchSize }
        let (graph, _) = try Compiler().compile(spec)
        return (graph, text)
    }
    if batchSize != nil {
        throw ValidationError("the batch size is compiled into \(path); pass the spec (.json) to change it")
    }
    let data = try readFile(path)
    guard let text = String(data: data, encoding: .utf8) else { throw DataError(file: path, reason: "not UTF-8 text") }
    return (try Graph.parse(text, file: path), nil)
}

/// The built-in simulators, against which a spec that names one as its task is checked.
var builtInTasks: [BuiltInTask] { Simulators.sizes.map(BuiltInTask.init) }

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
    do { try createDirectories(directory) } catch let error as DataError {
        throw failure(error.file == directory ? error.reason : "\(error.file) \(error.reason)")
    }
    // A name no other file has: the check must not replace or remove anything.
    let probe = directory + "/.sbic-write-check.\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp"
    let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw failure("cannot write here (\(String(cString: strerror(errno))))") }
    let written = Data(count: 1 << 20).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    let reason = String(cString: strerror(errno))
    close(fd)
    unlink(probe)
    guard written == 1 << 20 else { throw failure("cannot write here (\(written < 0 ? reason : "the disk is full"))") }
    var volume = statvfs()
    if statvfs(directory, &volume) == 0 {
        let free = Int(clamping: UInt64(volume.f_bavail).multipliedReportingOverflow(by: UInt64(volume.f_frsize)).partialValue)
        guard free >= bytes else {
            throw failure("\(formatBytes(free)) free, and the model needs \(formatBytes(bytes))")
        }
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
func readMatrix(_ path: String) throws -> Matrix { try readDataFiles([path])[0].matrix }

/// Reads data files once what they claim to hold (a .npy file's shape, a CSV file's length)
/// is known to fit in memory: reading a file too large for it would end the process.
func readDataFiles(_ paths: [String]) throws -> [DataFile] {
    try checkMemoryToRead(paths)
    return try paths.map(DataFile.read)
}

func checkMemoryToRead(_ paths: [String]) throws {
    let bytes = try paths.reduce(0) { saturatingAdd($0, try DataFile.memoryToRead($1)) }
    try inFile(paths.joined(separator: ", ")) {
        try MemoryBudget.require(bytes, for: "reading " + (paths.count == 1 ? "it" : "them"))
    }
}
