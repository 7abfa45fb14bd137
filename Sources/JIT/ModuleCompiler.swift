import CLLVM
import Dispatch
import Foundation
import IR
import Runtime

/// How long each phase of a JIT compile took, in seconds, and where the code came from.
public struct CompileTiming: Sendable {
    /// Where a compile's code came from.
    public enum Source: String, Sendable {
        /// Generated and compiled by LLVM.
        case compiled
        /// Loaded from the on-disk cache.
        case diskCache = "disk cache"
        /// Already loaded in this process for the same programs.
        case loaded
    }

    /// Lowering the programs to LLVM IR (or, from the cache, reading the entry).
    public var generate: Double
    /// LLVM's code generation, one thread per compilation unit.
    public var compile: Double
    /// Loading and linking the object code in the JIT.
    public var link: Double
    /// Compilation units, compiled in parallel.
    public var units: Int
    public var source: Source = .compiled
    /// CPU time of the whole process over the compile (user + system, all threads): less
    /// sensitive than wall time to other work on the machine.
    public var cpu: Double = 0
    /// CPU time of LLVM's IR optimization and of its code generation (instruction selection,
    /// register allocation, object emission), summed over the compilation units' threads.
    public var optimizeCPU: Double = 0
    public var codegenCPU: Double = 0
    /// CPU time of planning the programs and lowering them to LLVM IR (one thread).
    public var generateCPU: Double = 0
    public var total: Double { generate + compile + link }
}

/// Programs compiled together: their entry points, layouts and the code they share.
struct CompiledModule {
    var entries: [(program: Program, address: UInt64, layout: ProgramLayout)]
    var code: LoadedCode
    var timing: CompileTiming
}

/// The code of `programs`: already loaded in this process, read from the on-disk cache, or
/// lowered, compiled on every core (and stored in the cache); then loaded into the process's JIT.
func compileModule(_ programs: [Program], parameters: ParameterStore<Float>, options: JIT.Options) throws -> CompiledModule {
    let engine = try JITEngine.shared()
    let clock = ContinuousClock()
    let start = clock.now, startCPU = processCPUSeconds()
    let threads = options.compileThreads ?? min(usableCores(), 4)
    let plans = try programs.map { try ProgramPlan($0, parameters: parameters, options: options) }
    let key = CacheKey(programs, parameters: parameters, options: options, units: threads, host: engine.host)
    // Symbols are named after the key: the same programs give the same code and names, which is
    // what lets an object from the cache, compiled by another process, be linked here.
    let prefix = "sbic_" + key.hex.prefix(24) + "_"
    let symbols = programs.map { prefix + $0.name }
    let cache = options.cache ? ObjectCache.fromEnvironment() : nil
    var timing = CompileTiming(generate: 0, compile: 0, link: 0, units: threads)
    let profiled = getenv("SBIC_JIT_PERF_MAP") != nil

    let code = try engine.code(for: key, symbols: symbols) { () throws -> (objects: [Data], kernels: [String]) in
        if let objects = cache?.load(key) {
            timing.source = .diskCache
            timing.generate = seconds(clock.now - start)
            return (objects, [])
        }
        let builder = ModuleBuilder(prefix: prefix, units: threads)
        for plan in plans { builder.add(plan) }
        let generated = clock.now
        timing.generate = seconds(generated - start)
        timing.generateCPU = processCPUSeconds() - startCPU
        if let directory = getenv("SBIC_JIT_DUMP_IR").map({ String(cString: $0) }) {
            for unit in builder.units { unit.write(to: directory) }
        }
        let units = builder.units
        let results = UnsafeMutableBufferPointer<Result<Data, Error>>.allocate(capacity: units.count)
        defer { _ = results.deinitialize(); results.deallocate() }
        let cpu = UnsafeMutableBufferPointer<(optimize: Double, codegen: Double)>.allocate(capacity: units.count)
        defer { cpu.deallocate() }
        cpu.initialize(repeating: (0, 0))
        DispatchQueue.concurrentPerform(iterations: units.count) { i in
            (results.baseAddress! + i).initialize(to: Result { try units[i].compile(for: engine.host, cpu: &cpu[i]) })
        }
        let objects = try Array(results).map { try $0.get() }
        timing.compile = seconds(clock.now - generated)
        timing.optimizeCPU = cpu.reduce(0) { $0 + $1.optimize }
        timing.codegenCPU = cpu.reduce(0) { $0 + $1.codegen }
        cache?.store(objects, key)
        return (objects, profiled ? builder.kernelSymbols : [])
    }
    if timing.source == .compiled, code.fresh, profiled { writePerfMap(code.code.addresses) }
    if !code.fresh { timing.source = .loaded }
    timing.link = seconds(clock.now - start) - timing.generate - timing.compile
    timing.cpu = processCPUSeconds() - startCPU
    return CompiledModule(entries: zip(plans, symbols).map { ($0.program, code.code.addresses[$1]!, $0.layout) },
                          code: code.code, timing: timing)
}

/// The cores this process may run on: its CPU affinity (`taskset`), else the online cores.
/// Two units on one core take longer than one: each unit compiles its own copy of the helpers
/// its kernels call.
func usableCores() -> Int {
    // Glibc's module does not export sched_getaffinity; the kernel prints the same mask here.
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) {
        let count = line.dropFirst("Cpus_allowed:".count).reduce(0) { $0 + ($1.hexDigitValue?.nonzeroBitCount ?? 0) }
        if count > 0 { return count }
    }
    return ProcessInfo.processInfo.activeProcessorCount
}

/// CPU time of the calling thread so far.
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// User plus system CPU time of this process so far, all threads.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
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
