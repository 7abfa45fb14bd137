import ArgumentParser
import Dispatch
import Foundation
import Interpreter
import IR
import JIT
import Passes
import Random
import Runtime
import Spec
import Training

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time every program of a model on both back ends, one thread each.",
        discussion: """
            Reports the median time of each program after warm-up, the time to draw 10,000 \
            posterior samples (random inputs prepared beforehand, so drawing the noise is not \
            timed), the JIT's compile time for all programs, GFLOP/s from the compiled \
            graph's operation count, and each program's share of the host's peak: the best \
            GFLOP/s of the JIT's own matrix-product kernel on square products, measured first. \
            The CPU model, its cache sizes and the vector instruction sets used head the \
            report. docs/benchmarks.md explains every number.
            """)

    @Argument(help: "A spec (.json) or a compiled graph (.sbig).", completion: .file(extensions: ["json", "sbig"]))
    var model: String

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "Timed runs of each program, after as many warm-up runs as a tenth of this.")
    var iterations = 1000

    @Option(help: "Threads drawing the 10,000 posterior samples, each with its own copy of the sample program.")
    var sampleThreads = 1

    @Flag(help: "Instead, time every distinct matrix product of the model with the JIT's kernel and with OpenBLAS.")
    var matmuls = false

    @Flag(help: "Only the JIT compile of every program: without the on-disk cache, and from it.")
    var compileOnly = false

    func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be positive") }
        guard (1...64).contains(sampleThreads) else { throw ValidationError("--sample-threads must be between 1 and 64") }
    }

    func run() throws {
        try reportingErrors(model) {
            let graph = try Self.load(model)
            try MemoryBudget.require(Self.bytesNeeded(graph, sampleThreads: sampleThreads), for: "benchmarking \(graph.name)")
            if matmuls {
                let comparison = try MatmulComparison(graph, iterations: iterations)
                print(json ? comparison.json : comparison.table)
            } else if compileOnly {
                let times = try CompileTimes(graph)
                print(json ? BenchReport.encode(CompileReport(model: graph.name, host: HostCPU.current, compile: times))
                           : BenchReport.hostLine(HostCPU.current) + "\n" + times.line(model: graph.name))
            } else {
                let report = try measure(graph)
                print(json ? report.json : report.table)
            }
        }
    }

    private func measure(_ graph: Graph) throws -> BenchReport {
        var random = RandomStream(seed: 0, stream: "bench")
        let interpreterStore = ParameterStore<Float>(graph), jitStore = ParameterStore<Float>(graph)
        interpreterStore.initialize { random.normal() }
        jitStore.copy(from: interpreterStore)

        let peak = try HostPeak.measure()
        let compileTimes = try CompileTimes(graph)
        let compiled = try JIT.compile(graph, parameters: jitStore, options: JIT.Options(cache: true))

        var report = BenchReport(model: graph.name, host: HostCPU.current, peak: peak, compile: compileTimes,
                                 openblasCoretype: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"])
        for program in graph.programs {
            let backEnds: [Executable] = [try InterpretedProgram(program, parameters: interpreterStore), compiled[program.name]!]
            // Training many steps on one batch drives the model to overflow, and NaNs take slow
            // paths (libm's sqrtf, for one); so every run gets a batch from a pool.
            let batches = (0..<8).map { _ in randomInputs(program, graph: graph, &random) }
            let times = backEnds.map { backEnd in
                Self.medians(runs: iterations, prepare: { feed(backEnd, batches[$0 % batches.count]) }) { backEnd.run() }
            }
            // The rows of the widest input: the sample program reads one observation and a batch of noise.
            let batch = program.inputs.compactMap { $0.shape.dims.first }.max() ?? 1
            report.programs[program.name] = .init(batch: batch, flops: program.flops,
                                                  interpreterMicroseconds: times[0].wall * 1e6, jitMicroseconds: times[1].wall * 1e6,
                                                  peakGflops: peak.gflops)
            report.programs[program.name]!.interpreterCpuMicroseconds = times[0].cpu * 1e6
            report.programs[program.name]!.jitCpuMicroseconds = times[1].cpu * 1e6
            if program.name == Interface.Programs.sample, batch > 0 {
                // Every further thread gets its own copy of the program's memory (the JIT's code is shared).
                let copies: [[Executable]] = [backEnds] + (try (1..<sampleThreads).map { _ in
                    [try InterpretedProgram(program, parameters: interpreterStore), try compiled[program.name]!.copy()]
                })
                let runs = (10_000 + batch - 1) / batch
                let repeats = max(5, iterations / (10 * runs))
                let sampling = backEnds.indices.map { backEnd in
                    let threads = copies.map { $0[backEnd] }
                    return Self.median(runs: repeats, prepare: { i in for t in threads { feed(t, batches[i % batches.count]) } }) {
                        Self.inParallel(threads.count) { t in
                            for _ in stride(from: t, to: runs, by: threads.count) { threads[t].run() }
                        }
                    }
                }
                report.tenThousandSamples = .init(runs: runs, threads: sampleThreads, interpreterMilliseconds: sampling[0] * 1e3,
                                                  jitMilliseconds: sampling[1] * 1e3)
            }
        }
        return report
    }

    /// Standard normal values for every input; the learning rate the spec trains with.
    private func randomInputs(_ program: Program, graph: Graph, _ random: inout RandomStream) -> [String: [Float]] {
        var inputs: [String: [Float]] = [:]
        for (name, shape) in program.inputs {
            if name == Interface.Inputs.learningRate {
                inputs[name] = [Float((try? TrainingSettings(graph))?.learningRate ?? 1e-3)]
            } else {
                inputs[name] = (0..<shape.count).map { _ in Float(random.normal()) }
            }
        }
        return inputs
    }

    private func feed(_ executable: Executable, _ inputs: [String: [Float]]) {
        for (name, values) in inputs { _ = executable.input(name).update(fromContentsOf: values) }
    }

    /// `body(t)` for t in 0..<count, on as many threads (the calling one alone when count is 1).
    private static func inParallel(_ count: Int, _ body: (Int) -> Void) {
        if count == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: count, execute: body) }
    }

    /// What the benchmark holds at once: the parameters and every program's arena on each back
    /// end, a copy of the sample program per further thread, and eight batches of inputs per program.
    static func bytesNeeded(_ graph: Graph, sampleThreads: Int) -> Int {
        let inputs = graph.programs.reduce(0) { total, program in
            program.inputs.reduce(total) { saturatingAdd($0, saturatingMultiply($1.shape.count, 8 * MemoryLayout<Float>.stride)) }
        }
        let copies = saturatingMultiply(graph.arenaBytes(of: [Interface.Programs.sample]), sampleThreads - 1)
        return saturatingAdd(saturatingMultiply(saturatingAdd(saturatingAdd(graph.parameterBytes, graph.arenaBytes()), copies), 2), inputs)
    }

    /// A spec is compiled; a .sbig graph is read as it is.
    private static func load(_ path: String) throws -> Graph {
        if path.hasSuffix(".sbig") {
            return try Graph.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
        }
        return try Compiler().compile(try ModelSpec.load(path: path)).0
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// The median wall time of `body` in seconds, after a tenth as many warm-up runs;
    /// `prepare(i)` runs untimed before run i.
    static func median(runs: Int, prepare: (Int) -> Void, _ body: () -> Void) -> Double {
        medians(runs: runs, prepare: prepare, body).wall
    }

    /// The median wall time and the median CPU time of the calling thread (which leaves out
    /// the time other processes had the core) of one run of `body`, in seconds.
    static func medians(runs: Int, prepare: (Int) -> Void, _ body: () -> Void) -> (wall: Double, cpu: Double) {
        let warmUp = max(1, runs / 10)
        let clock = ContinuousClock()
        var times: [Double] = [], cpu: [Double] = []
        times.reserveCapacity(runs)
        cpu.reserveCapacity(runs)
        func threadCPU() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        for i in 0..<(warmUp + runs) {
            prepare(i)
            let startCPU = threadCPU()
            let start = clock.now
            body()
            let end = clock.now
            let endCPU = threadCPU()
            if i >= warmUp {
                times.append(Self.seconds(end - start))
                cpu.append(endCPU - startCPU)
            }
        }
        times.sort()
        cpu.sort()
        return (times[times.count / 2], cpu[cpu.count / 2])
    }
}


/// What `sbic bench` measured. Its JSON form (keys in snake case) is documented in
/// docs/benchmarks.md.
struct BenchReport: Encodable {
    struct ProgramTimes: Encodable {
        let batch: Int
        let flops: Int
        let interpreterMicroseconds: Double
        let jitMicroseconds: Double
        /// Median CPU time of the running thread: on a loaded machine, less inflated than wall time.
        var interpreterCpuMicroseconds: Double?
        var jitCpuMicroseconds: Double?
        let interpreterGflops: Double
        let jitGflops: Double
        /// The JIT's GFLOP/s over the host's measured peak.
        let jitShareOfPeak: Double
        /// Interpreter time over JIT time.
        let speedup: Double

        init(batch: Int, flops: Int, interpreterMicroseconds: Double, jitMicroseconds: Double, peakGflops: Double) {
            self.batch = batch
            self.flops = flops
            self.interpreterMicroseconds = interpreterMicroseconds
            self.jitMicroseconds = jitMicroseconds
            interpreterGflops = Double(flops) / interpreterMicroseconds / 1e3
            jitGflops = Double(flops) / jitMicroseconds / 1e3
            jitShareOfPeak = jitGflops / peakGflops
            speedup = interpreterMicroseconds / jitMicroseconds
        }
    }

    struct Sampling: Encodable {
        let runs: Int
        let threads: Int
        let interpreterMilliseconds: Double
        let jitMilliseconds: Double
        let speedup: Double

        init(runs: Int, threads: Int, interpreterMilliseconds: Double, jitMilliseconds: Double) {
            self.runs = runs
            self.threads = threads
            self.interpreterMilliseconds = interpreterMilliseconds
            self.jitMilliseconds = jitMilliseconds
            speedup = interpreterMilliseconds / jitMilliseconds
        }
    }

    var model: String
    var host: HostCPU
    var peak: HostPeak
    var compile: CompileTimes
    var openblasCoretype: String?
    var programs: [String: ProgramTimes] = [:]
    var tenThousandSamples: Sampling?

    var json: String { Self.encode(self) }

    static func hostLine(_ host: HostCPU) -> String {
        func kib(_ bytes: Int) -> String { bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB" }
        return "host: \(host.model) (LLVM: \(host.llvmName)), \(host.cores) cores; L1d \(kib(host.l1dBytes)), "
            + "L2 \(kib(host.l2Bytes)) per core, L3 \(kib(host.l3Bytes)); \(host.vectorRegisters) × \(host.vectorBits)-bit "
            + "vector registers; ISA \(host.isa.joined(separator: " "))"
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    var table: String {
        func number(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
        func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        let sizes = peak.sizes.map { "\($0.n)³ \(number($0.gflops))" }.joined(separator: ", ")
        var lines = [Self.hostLine(host), compile.line(model: model),
                     "peak: \(number(peak.gflops)) GFLOP/s, the JIT's matmul on n × n × n, best of 7 rounds (GFLOP/s: \(sizes))",
                     "\(model): one thread per back end, OPENBLAS_CORETYPE=\(openblasCoretype ?? "unset")",
                     "program       batch   interpreter µs   JIT µs   speedup   JIT GFLOP/s   of peak   JIT CPU µs"]
        for (name, p) in programs.sorted(by: { $0.key < $1.key }) {
            lines.append(name.padding(toLength: 12, withPad: " ", startingAt: 0) + pad("\(p.batch)", 7)
                         + pad(number(p.interpreterMicroseconds), 17) + pad(number(p.jitMicroseconds), 9)
                         + pad(number(p.speedup, 2) + "×", 10) + pad(number(p.jitGflops), 14)
                         + pad(number(100 * p.jitShareOfPeak) + " %", 10) + pad(p.jitCpuMicroseconds.map { number($0) } ?? "", 13))
        }
        if let s = tenThousandSamples {
            lines.append("10,000 samples (\(s.runs) runs of sample on \(s.threads) thread\(s.threads == 1 ? "" : "s"), noise drawn "
                         + "beforehand): interpreter \(number(s.interpreterMilliseconds, 2)) ms, JIT \(number(s.jitMilliseconds, 2)) ms")
        }
        return lines.joined(separator: "\n")
    }
}

/// The JIT compile of every program of a graph: without the on-disk cache, then from it (after
/// a compile that fills it, if it was empty). Each compile's code is released before the next,
/// so no compile shares code another one loaded. CPU time (getrusage, all threads) beside wall
/// time: it is less sensitive to other work on the machine.
struct CompileTimes: Encodable {
    let programs: Int
    let threads: Int
    let milliseconds: Double
    let cpuMilliseconds: Double
    /// The cold compile's CPU time by phase: lowering to LLVM IR, LLVM's IR optimization, its
    /// code generation (both summed over the compile threads); the rest is loading and linking.
    let generateCpuMilliseconds: Double
    let optimizeCpuMilliseconds: Double
    let codegenCpuMilliseconds: Double
    /// nil where the cache is off (`SBIC_CACHE=off`) or could not be written.
    let cachedMilliseconds: Double?
    let cachedCpuMilliseconds: Double?
    let cacheDirectory: String?
}

extension CompileTimes {
    init(_ graph: Graph) throws {
        let store = ParameterStore<Float>(graph)
        let cold = try JIT.compile(graph, parameters: store, options: JIT.Options(cache: false)).timing
        _ = try JIT.compile(graph, parameters: store, options: JIT.Options(cache: true))
        let cached = try JIT.compile(graph, parameters: store, options: JIT.Options(cache: true)).timing
        let hit = cached.source == .diskCache
        self.init(programs: graph.programs.count, threads: cold.units, milliseconds: cold.total * 1e3,
                  cpuMilliseconds: cold.cpu * 1e3, generateCpuMilliseconds: cold.generateCPU * 1e3,
                  optimizeCpuMilliseconds: cold.optimizeCPU * 1e3, codegenCpuMilliseconds: cold.codegenCPU * 1e3, cachedMilliseconds: hit ? cached.total * 1e3 : nil,
                  cachedCpuMilliseconds: hit ? cached.cpu * 1e3 : nil, cacheDirectory: JIT.cacheDirectory)
    }

    func line(model: String) -> String {
        func number(_ v: Double) -> String { String(format: "%.1f", v) }
        let cache = cachedMilliseconds.map { "from the cache \(number($0)) ms (CPU \(number(cachedCpuMilliseconds!)) ms)" }
            ?? "no cache (\(cacheDirectory == nil ? "off" : "not written"))"
        return "\(model): JIT compile of \(programs) programs on \(threads) threads: \(number(milliseconds)) ms "
            + "(CPU \(number(cpuMilliseconds)) ms: IR \(number(generateCpuMilliseconds)), optimization "
            + "\(number(optimizeCpuMilliseconds)), code generation \(number(codegenCpuMilliseconds))); \(cache)"
    }
}

/// What `sbic bench --compile-only` measured.
struct CompileReport: Encodable {
    let model: String
    let host: HostCPU
    let compile: CompileTimes
}
