import IR
import Runtime

/// The LLVM back end: compiles planned programs to native code for this machine.
public enum JIT {
    public struct Options: Sendable {
        /// The kernel for every matrix product; nil chooses per shape whichever measured
        /// faster on this machine kind (docs/jit.md).
        public var matmul: MatmulKernel?
        /// Threads that compile (one LLVM module each); nil: one per core this process may run
        /// on (its CPU affinity), at most four.
        public var compileThreads: Int?
        /// Whether to use the on-disk cache of compiled code (where the environment does not
        /// turn it off: `SBIC_CACHE=off`; docs/jit.md). Off by default, so that a library
        /// caller's experiments leave nothing behind; the back end that commands use
        /// (`executables`) turns it on.
        public var cache: Bool
        public init(matmul: MatmulKernel? = nil, compileThreads: Int? = nil, cache: Bool = false) {
            self.matmul = matmul
            self.compileThreads = compileThreads
            self.cache = cache
        }
    }

    /// Every program of a graph, compiled together.
    public struct CompiledGraph {
        public var programs: [String: JITProgram]
        public var timing: CompileTiming
        public subscript(name: String) -> JITProgram? { programs[name] }
    }

    /// Compiles all programs of `graph` into one module, so that kernels of equal shape are
    /// generated and optimized once for all of them.
    public static func compile(_ graph: Graph, parameters: ParameterStore<Float>, options: Options = Options()) throws -> CompiledGraph {
        try compile(graph.programs, parameters: parameters, options: options)
    }

    /// Compiles `programs` (of one graph) into one module, sharing their kernels.
    public static func compile(_ programs: [Program], parameters: ParameterStore<Float>, options: Options = Options()) throws -> CompiledGraph {
        let module = try compileModule(programs, parameters: parameters, options: options)
        var programs: [String: JITProgram] = [:]
        for entry in module.entries {
            programs[entry.program.name] = try JITProgram(entry.program, parameters: parameters, address: entry.address,
                                                          layout: entry.layout, code: module.code, timing: module.timing)
        }
        return CompiledGraph(programs: programs, timing: module.timing)
    }

    /// Where compiled code is cached on disk; nil when the cache is off (docs/jit.md).
    public static var cacheDirectory: String? { ObjectCache.fromEnvironment()?.directory }

    /// The JIT as a back end (`BackendCompiler`), as commands use it: the programs compiled
    /// together, through the on-disk cache.
    public static func executables(_ programs: [Program], parameters: ParameterStore<Float>) throws -> [Executable] {
        let compiled = try compile(programs, parameters: parameters, options: Options(cache: true))
        return programs.map { compiled[$0.name]! }
    }
}
