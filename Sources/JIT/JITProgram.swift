import IR
import Runtime

/// A program compiled to one native function: shapes, offsets and constants are baked into
/// the code, which takes the addresses of the program's memory and of the parameter store, and
/// `run()` is one call. Inputs are written in place before `run()` and outputs
/// read in place after it, exactly as with `InterpretedProgram`; parameters live in the
/// `ParameterStore` the program was compiled against.
public final class JITProgram: Executable {
    public let program: Program
    public let parameters: ParameterStore<Float>
    /// How long compiling took (for a program compiled with others: all of them together).
    public let timing: CompileTiming

    private typealias Entry = @convention(c) (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    private let entry: Entry
    private let code: LoadedCode
    private let layout: ProgramLayout
    /// The arena, the constants kernels read and the kernels' scratch: this copy's own.
    private let memory: ProgramMemory

    /// Compiles `program` on its own. To compile several programs of a graph, `JIT.compile`
    /// shares the work between them.
    public convenience init(_ program: Program, parameters: ParameterStore<Float>, options: JIT.Options = JIT.Options()) throws {
        let module = try compileModule([program], parameters: parameters, options: options)
        let entry = module.entries[0]
        try self.init(entry.program, parameters: parameters, address: entry.address, layout: entry.layout,
                      code: module.code, timing: module.timing)
    }

    init(_ program: Program, parameters: ParameterStore<Float>, address: UInt64, layout: ProgramLayout,
         code: LoadedCode, timing: CompileTiming) throws {
        self.program = program
        self.parameters = parameters
        self.layout = layout
        self.memory = try ProgramMemory(layout, program: program.name)
        self.code = code
        self.timing = timing
        entry = unsafeBitCast(UInt(address), to: Entry.self)
    }

    /// Another instance of this program, with its own memory and the same code and parameters:
    /// what each thread that runs the program at the same time needs. Nothing is compiled.
    public func copy() throws -> JITProgram {
        try JITProgram(program, parameters: parameters, address: UInt64(UInt(bitPattern: unsafeBitCast(entry, to: UnsafeRawPointer.self))),
                       layout: layout, code: code, timing: timing)
    }

    /// Where node `i`'s value lives.
    private func address(_ i: Int) -> UnsafeMutablePointer<Float> {
        switch layout.locations[i] {
        case .memory(let offset): return memory.base + offset
        case .parameter(let offset): return parameters.base + offset
        case .none: preconditionFailure("%\(i) of program \(program.name) has no value")
        }
    }

    /// The arena slot of input `name`: write the input here before `run()`.
    public func input(_ name: String) -> UnsafeMutableBufferPointer<Float> {
        guard let i = program.nodes.firstIndex(where: { $0.op == .input(name) }) else {
            preconditionFailure("program \(program.name) has no input \(name)")
        }
        return UnsafeMutableBufferPointer(start: address(i), count: program.nodes[i].shape.count)
    }

    /// Output `name` of the last run.
    public func output(_ name: String) -> UnsafeBufferPointer<Float> {
        guard let i = program.output(name) else { preconditionFailure("program \(program.name) has no output \(name)") }
        return UnsafeBufferPointer(start: address(i), count: program.nodes[i].shape.count)
    }

    public func run() {
        entry(memory.base, parameters.base)
    }
}
