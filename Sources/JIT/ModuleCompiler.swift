import CLLVM
import Dispatch
import Foundation
import IR
import Runtime

/// How long each phase of a JIT compile took, in seconds.
public struct CompileTiming: Sendable {
    /// Lowering the programs to LLVM IR.
    public var generate: Double
    /// LLVM's O3 pipeline and instruction selection, one thread per compilation unit.
    public var compile: Double
    /// Loading and linking the object code in the JIT.
    public var link: Double
    /// Compilation units, compiled in parallel.
    public var units: Int
    public var total: Double { generate + compile + link }
}

/// Programs compiled together: their entry points, layouts and the code they share.
struct CompiledModule {
    var entries: [(program: Program, address: UInt64, layout: ProgramLayout, memory: ProgramMemory)]
    var code: LoadedCode
    var timing: CompileTiming
}

/// Lowers `programs`, compiles the result on every core and loads it into the process's JIT.
func compileModule(_ programs: [Program], parameters: ParameterStore<Float>, options: JIT.Options) throws -> CompiledModule {
    let engine = try JITEngine.shared()
    let clock = ContinuousClock()
    let start = clock.now
    let threads = options.compileThreads ?? min(ProcessInfo.processInfo.activeProcessorCount, 4)
    let builder = ModuleBuilder(prefix: engine.uniquePrefix(), units: threads, options: options)
    let entries = try programs.map { try builder.add($0, parameters: parameters) }
    let generated = clock.now
    if let directory = getenv("SBIC_JIT_DUMP_IR").map({ String(cString: $0) }) {
        for unit in builder.units { unit.write(to: directory) }
    }

    let units = builder.units
    let results = UnsafeMutableBufferPointer<Result<LLVMMemoryBufferRef, Error>>.allocate(capacity: units.count)
    defer { results.deallocate() }
    DispatchQueue.concurrentPerform(iterations: units.count) { i in
        (results.baseAddress! + i).initialize(to: Result { try units[i].compile(for: engine.host) })
    }
    let objects = Array(results)
    let compiled = clock.now
    for case .failure(let error) in objects {
        for case .success(let object) in objects { LLVMDisposeMemoryBuffer(object) }
        throw error
    }
    let profiled = getenv("SBIC_JIT_PERF_MAP") != nil
    let code = try engine.load(objects: objects.map { try $0.get() },
                               symbols: entries.map(\.symbol) + (profiled ? builder.kernelSymbols : []))
    if profiled { writePerfMap(code.addresses) }
    let loaded = clock.now
    return CompiledModule(
        entries: zip(programs, entries).map { ($0, code.addresses[$1.symbol]!, $1.layout, $1.memory) },
        code: code,
        timing: CompileTiming(generate: seconds(generated - start), compile: seconds(compiled - generated),
                              link: seconds(loaded - compiled), units: units.count))
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// Appends the JIT'd functions to /tmp/perf-PID.map, where `perf report` looks up symbols
/// for code that has no file. Sizes are up to the next symbol (at most 64 KiB).
private func writePerfMap(_ addresses: [String: UInt64]) {
    let sorted = addresses.sorted { $0.value < $1.value }
    var text = ""
    for (i, (name, address)) in sorted.enumerated() {
        let end = i + 1 < sorted.count ? min(sorted[i + 1].value, address + 65536) : address + 4096
        text += String(address, radix: 16) + " " + String(end - address, radix: 16) + " " + name + "\n"
    }
    guard let file = fopen("/tmp/perf-\(getpid()).map", "a") else { return }
    fputs(text, file)
    fclose(file)
}
