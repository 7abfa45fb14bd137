import IR
import Runtime

/// The LLVM back end: compiles planned programs to native code for this machine.
public enum JIT {
    public struct Options: Sendable {
        /// The kernel for every matrix product; nil chooses per shape whichever measured
        /// faster on this machine kind (docs/jit.md).
        public var matmul: MatmulKernel?
        /// Threads that compile (one LLVM module each); nil: one per core, at most four.
        public var compileThreads: Int?
        public init(matmul: MatmulKernel? = nil, compileThreads: Int? = nil) {
            self.matmul = matmul
            self.compileThreads = compileThreads
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
            programs[entry.program.name] = JITProgram(entry.program, parameters: parameters, address: entry.address,
                                                      layout: entry.layout, memory: entry.memory, code: module.code,
                                                      timing: module.timing)
        }
        return CompiledGraph(programs: programs, timing: module.timing)
    }

    /// The JIT as a back end (`BackendCompiler`): the programs compiled together.
    public static func executables(_ programs: [Program], parameters: ParameterStore<Float>) throws -> [Executable] {
        let compiled = try compile(programs, parameters: parameters)
        return programs.map { compiled[$0.name]! }
    }
}
