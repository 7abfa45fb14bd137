import IR
import Runtime

/// Runs one planned program: matrix products through BLAS, everything else in Swift loops,
/// every value at its planned place in one arena. Inputs are written straight into the arena
/// (`input`), outputs read from it after `run()` (`output`), so a run copies nothing.
public final class InterpretedProgram<T: Scalar> {
    public let program: Program
    public let parameters: ParameterStore<T>
    private let arena: UnsafeMutablePointer<T>
    private let constants: UnsafeMutablePointer<T>
    /// Where each node's value lives.
    private var values: [UnsafeMutablePointer<T>]
    private let scratch: Scratch<T>

    public init(_ program: Program, parameters: ParameterStore<T>) throws {
        guard let plan = program.memory else { throw InterpreterError("program \(program.name) has no memory plan") }
        // Checked before anything is allocated: a failing init does not run deinit.
        for (i, node) in program.nodes.enumerated() {
            if case .parameter(let name) = node.op, parameters.offsets[name] == nil {
                throw InterpreterError("no storage for parameter \(name)")
            }
            if node.callsBLAS, let shape = ([node.shape] + node.operands.map { program.nodes[$0].shape }).first(where: { !$0.fitsBLAS }) {
                throw InterpreterError("program \(program.name), %\(i): \(shape) is beyond BLAS, whose sizes are 32-bit")
            }
        }
        self.program = program
        self.parameters = parameters
        arena = .allocate(capacity: max(plan.arenaFloats, 1))
        arena.initialize(repeating: 0, count: max(plan.arenaFloats, 1))
        constants = .allocate(capacity: max(program.nodes.count, 1))
        constants.initialize(repeating: 0, count: max(program.nodes.count, 1))
        values = []
        var widest = 1
        for (i, node) in program.nodes.enumerated() {
            switch node.op {
            case .parameter(let name):
                values.append(parameters.buffer(name).baseAddress!)
            case .constant(let v):
                constants[i] = T(v)
                values.append(constants + i)
            default:
                values.append(arena + (plan.offsets[i] ?? 0))
            }
            if case .fused(let body) = node.op { widest = max(widest, body.instructions.count) }
        }
        scratch = Scratch(instructions: widest)
    }

    deinit {
        arena.deallocate()
        constants.deallocate()
    }

    /// The arena slot of input `name`: write the input here before `run()`.
    public func input(_ name: String) -> UnsafeMutableBufferPointer<T> {
        guard let i = program.nodes.firstIndex(where: { $0.op == .input(name) }) else {
            preconditionFailure("program \(program.name) has no input \(name)")
        }
        return UnsafeMutableBufferPointer(start: values[i], count: program.nodes[i].shape.count)
    }

    /// Output `name` of the last run.
    public func output(_ name: String) -> UnsafeBufferPointer<T> {
        guard let i = program.output(name) else { preconditionFailure("program \(program.name) has no output \(name)") }
        return UnsafeBufferPointer(start: values[i], count: program.nodes[i].shape.count)
    }

    /// Convenience for tests and tools: copy inputs in, run, copy every output out.
    public func run(_ inputs: [String: [T]]) -> [String: [T]] {
        for (name, data) in inputs {
            let slot = input(name)
            precondition(slot.count == data.count, "input \(name) holds \(slot.count) values, not \(data.count)")
            _ = slot.update(fromContentsOf: data)
        }
        run()
        return Dictionary(uniqueKeysWithValues: program.outputs.map { ($0.name, Array(output($0.name))) })
    }

    public func run() {
        for (i, node) in program.nodes.enumerated() {
            execute(node, into: values[i])
        }
    }

    private func execute(_ node: Node, into y: UnsafeMutablePointer<T>) {
        let x = node.operands.map { values[$0] }
        let shapes = node.operands.map { program.nodes[$0].shape }
        let n = node.shape.count
        switch node.op {
        case .input, .parameter, .constant:
            break
        case .unary(let op):
            Kernels.unary(op, x[0], y, n)
        case .binary(let op):
            Kernels.binary(op, x[0], shapes[0].isScalar ? 0 : 1, x[1], shapes[1].isScalar ? 0 : 1, y, n)
        case .fused(let body):
            Kernels.fused(body, x, shapes.map { $0.isScalar ? 0 : 1 }, y, n, scratch)
        case let .matmul(ta, tb):
            let (a, b) = (shapes[0].dims, shapes[1].dims)
            let m = node.shape.dims[0], cols = node.shape.dims[1]
            T.gemm(ta, tb, m, cols, ta ? a[0] : a[1], x[0], a[1], x[1], b[1], y, cols)
        case .addBias:
            Kernels.addBias(x[0], x[1], y, rows: node.shape.dims[0], columns: node.shape.dims[1], activation: nil)
        case .dense(let activation):
            let m = node.shape.dims[0], cols = node.shape.dims[1], k = shapes[0].dims[1]
            T.gemm(false, false, m, cols, k, x[0], k, x[1], cols, y, cols)
            Kernels.addBias(y, x[2], y, rows: m, columns: cols, activation: activation)
        case .sum(let axis):
            let (outer, extent, inner) = Kernels.split(shapes[0], at: axis)
            Kernels.sum(x[0], y, outer: outer, extent: extent, inner: inner)
        case .logSumExp:
            let columns = shapes[0].dims.last!
            Kernels.logSumExp(x[0], y, rows: shapes[0].count / columns, columns: columns)
        case let .broadcast(axis, to):
            let (outer, extent, inner) = Kernels.split(to, at: axis)
            Kernels.broadcast(x[0], y, outer: outer, extent: extent, inner: inner)
        case .concat:
            let rows = n / node.shape.dims.last!
            var start = 0
            for (operand, shape) in zip(x, shapes) {
                let width = shape.dims.last!
                Kernels.copyColumns(operand, width, 0, y, node.shape.dims.last!, start, width, rows)
                start += width
            }
        case let .slice(start, count):
            let width = shapes[0].dims.last!
            Kernels.copyColumns(x[0], width, start, y, count, 0, count, n / count)
        case let .pad(start, total):
            let width = shapes[0].dims.last!
            y.update(repeating: 0, count: n)
            Kernels.copyColumns(x[0], width, 0, y, total, start, width, n / total)
        case .assign:
            values[node.operands[0]].update(from: x[1], count: shapes[1].count)
        case .adamw(let settings):
            let (lr, step, scale) = (x[x.count - 3].pointee, x[x.count - 2].pointee, x[x.count - 1].pointee)
            for g in stride(from: 0, to: x.count - 3, by: 4) {
                Kernels.adamw(settings, parameter: x[g], gradient: x[g + 1], m: x[g + 2], v: x[g + 3],
                              count: shapes[g].count, learningRate: lr, step: step, gradientScale: scale)
            }
        }
    }
}

private extension Node {
    var callsBLAS: Bool {
        switch op {
        case .matmul, .dense: return true
        default: return false
        }
    }
}

private extension Shape {
    var fitsBLAS: Bool { dims.allSatisfy { $0 <= Int(Int32.max) } }
}

public struct InterpreterError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
