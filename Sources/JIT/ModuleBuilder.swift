import CLLVM
import Foundation
import IR
import Runtime

/// Lowers programs to LLVM IR: per program an entry function `void name(float *memory, float
/// *parameters)` that calls, in program order, one kernel per op with its operands' addresses
/// as constant offsets from the two bases. Nothing else is decided at run time, the entry
/// function is nothing but calls, and the code holds no address of this process, so it can be
/// cached on disk and shared by several copies of a program's memory.
/// Kernels go to whichever compilation unit has the least code so far, so that the units take
/// about equally long to compile in parallel; entry functions go to the first.
final class ModuleBuilder {
    let units: [CompilationUnit]
    private let prefix: String
    private var kernels: [KernelKey: (name: String, unit: Int)] = [:]
    /// Every kernel's symbol, for profilers.
    var kernelSymbols: [String] { kernels.values.map(\.name) }

    init(prefix: String, units: Int) {
        self.units = (0..<max(units, 1)).map { CompilationUnit(name: "\(prefix)unit\($0)") }
        self.prefix = prefix
    }

    /// Adds `plan`'s entry function, `prefix` + the program's name.
    func add(_ plan: ProgramPlan) {
        let program = plan.program, keys = plan.keys, squares = plan.squares, layout = plan.layout
        let emitter = units[0].emitter!
        let functions = keys.map { $0.map { key in emitter.declare(kernel(key), kernelParameters(key, emitter)) } }
        let bases = emitter.beginFunction(prefix + program.name, parameters: emitter.pointers(2), exported: true)
        func address(_ location: ProgramLayout.Location) -> Value? {
            switch location {
            case .memory(let offset): return emitter.advance(bases[0], by: offset)
            case .parameter(let offset): return emitter.advance(bases[1], by: offset)
            case .none: return nil
            }
        }
        for (i, node) in program.nodes.enumerated() {
            guard let key = keys[i], let function = functions[i] else { continue }
            let operands = squares[i].map { [$0] } ?? node.operands
            var arguments = zip(operands, key.constants).compactMap { operand, constant in
                constant == nil ? address(layout.locations[operand]) : nil
            }
            if node.op.hasResult { arguments.append(address(layout.locations[i])!) }
            if key.scratchFloats > 0 { arguments.append(address(.memory(layout.scratchOffset))!) }
            if key.rowsArgument { arguments.append(emitter.int(node.shape.dims[0])) }
            emitter.call(function, arguments)
        }
        emitter.endFunction()
    }

    private func kernelParameters(_ key: KernelKey, _ emitter: Emitter) -> [IRType] {
        emitter.pointers(key.pointerCount) + (key.rowsArgument ? [emitter.int64] : [])
    }

    /// The symbol of the kernel for `key`, emitted the first time it is needed.
    private func kernel(_ key: KernelKey) -> String {
        if let known = kernels[key] { return known.name }
        let unit = units.indices.min { units[$0].emitter.instructionCount < units[$1].emitter.instructionCount }!
        let emitter = units[unit].emitter!
        let name = "\(prefix)k\(kernels.count)_\(key.op.name)"
        let arguments = emitter.beginFunction(name, parameters: kernelParameters(key, emitter), exported: true)
        // Kernels are shared; inlining them into every caller would only multiply the code.
        emitter.addAttribute("noinline", to: emitter.function!)
        emitter.emitKernel(key, arguments: arguments)
        emitter.endFunction()
        kernels[key] = (name, unit)
        return name
    }
}

/// What a program's code and memory follow from, decided before (and without) any LLVM IR:
/// the layout of its memory and the kernel of every node. A program whose code comes from the
/// cache needs only this.
struct ProgramPlan {
    let program: Program
    let layout: ProgramLayout
    /// Per node, its kernel (nil: leaves, and squares that their sum reads instead).
    let keys: [KernelKey?]
    /// Sum node → the node whose squares it sums (see `squaresSummed`).
    let squares: [Int: Int]

    init(_ program: Program, parameters: ParameterStore<Float>, options: JIT.Options) throws {
        let counts = Dictionary(parameters.parameters.map { ($0.name, $0.shape.count) }, uniquingKeysWith: { a, _ in a })
        // The layout checks the program's shapes before any kernel is made from them.
        var layout = try ProgramLayout(program, parameterOffsets: parameters.offsets, parameterCounts: counts)
        let squares = Self.squaresSummed(program)
        // The square nodes whose sums square as they read: they need no code.
        let squared = Set(squares.keys.map { program.nodes[$0].operands[0] })
        keys = program.nodes.indices.map { i -> KernelKey? in
            if squared.contains(i) { return nil }
            guard let x = squares[i] else { return Self.key(for: program.nodes[i], in: program, options: options) }
            var key = KernelKey(op: program.nodes[i].op, operands: [program.nodes[x].shape], constants: [nil],
                                result: program.nodes[i].shape, matmul: .jit)
            key.squaresOperand = true
            return key
        }
        layout.scratchFloats = keys.map { $0?.scratchFloats ?? 0 }.max() ?? 0
        self.program = program
        self.layout = layout
        self.squares = squares
    }

    /// Sums of everything over a square that nothing else reads (global-norm clipping sums the
    /// squares of every gradient): sum node → the squared node x. The sum's kernel reads x and
    /// squares as it goes, so the gradients are read once and the squares never written. Only
    /// a sum right after its square: the memory plan may reuse x's memory once the square has
    /// read it, so no other node may run in between.
    static func squaresSummed(_ program: Program) -> [Int: Int] {
        let users = program.users()
        let outputs = Set(program.outputs.map(\.node))
        var fused: [Int: Int] = [:]
        for (i, node) in program.nodes.enumerated() {
            guard node.op == .sum(axis: nil), let square = node.operands.first, square == i - 1,
                  program.nodes[square].op == .unary(.square), users[square] == [i], !outputs.contains(square) else { continue }
            fused[i] = program.nodes[square].operands[0]
        }
        return fused
    }

    /// The kernel an op needs, or nil for leaves, which have no code.
    private static func key(for node: Node, in program: Program, options: JIT.Options) -> KernelKey? {
        switch node.op {
        case .input, .parameter, .constant: return nil
        default: break
        }
        let shapes = node.operands.map { program.nodes[$0].shape }
        let constants: [Float?] = node.operands.map {
            if node.op.bakesConstants, case .constant(let v) = program.nodes[$0].op { return v }
            return nil
        }
        var matmul = MatmulKernel.jit
        switch node.op {
        case let .matmul(transposeA, transposeB):
            matmul = options.matmul ?? MatmulKernel.choose(MatmulShape(shapes[0], shapes[1], transposeA: transposeA, transposeB: transposeB),
                                                           dense: false)
        case .dense:
            matmul = options.matmul ?? MatmulKernel.choose(MatmulShape(shapes[0], shapes[1], transposeA: false, transposeB: false),
                                                           dense: true)
        default: break
        }
        var key = KernelKey(op: node.op, operands: shapes, constants: constants, result: node.shape, matmul: matmul)
        if key.rowsArgument {
            let tile = MatmulShape(shapes[0], shapes[1], transposeA: false, transposeB: key.op == .matmul(transposeA: false, transposeB: true))
                .rowTile(matmul)
            key.operands[0].dims[0] = 0
            key.result.dims[0] %= tile
        }
        return key
    }

}
