import IR

/// What one kernel function computes: an op for given operand shapes, with the operands that
/// are constants baked in. Every op with the same key, in any program of a module, calls the
/// same function, so a graph's four programs compile each distinct layer shape once.
struct KernelKey: Hashable {
    var op: Op
    var operands: [Shape]
    /// Per operand, its value when it is a constant node (then it is no argument).
    var constants: [Float?]
    var result: Shape
    var matmul: MatmulKernel
    /// A `sum` of everything whose operand is x rather than x² (see `ModuleBuilder.squaresSummed`):
    /// the kernel squares as it sums, in one pass and without the squares' temporary.
    var squaresOperand = false

    /// The kernel's pointer arguments, in order: each non-constant operand, then the result
    /// (for ops that have one), then scratch memory (for kernels that need it).
    var pointerCount: Int {
        constants.filter { $0 == nil }.count + (op.hasResult ? 1 : 0) + (scratchFloats > 0 ? 1 : 0)
    }

    /// Whether the number of rows is an argument (after the pointers) rather than compiled in:
    /// for products whose A is stored as is (see `RowCount`). Their keys hold 0 rows for A and
    /// the rows left over after whole tiles for the result.
    var rowsArgument: Bool { Self.takesRows(op) }

    static func takesRows(_ op: Op) -> Bool {
        switch op {
        case .dense: return true
        case .matmul(let transposeA, _): return !transposeA
        default: return false
        }
    }

    /// Floats of scratch memory the kernel needs (a transposed copy of a matrix).
    var scratchFloats: Int {
        switch op {
        case let .matmul(transposeA, transposeB):
            return MatmulShape(operands[0], operands[1], transposeA: transposeA, transposeB: transposeB).scratchFloats(matmul)
        case .dense:
            return MatmulShape(operands[0], operands[1], transposeA: false, transposeB: false).scratchFloats(matmul)
        default:
            return 0
        }
    }
}

extension Op {
    /// Element-wise ops compile their constant operands into the code as immediates; other
    /// ops read constants from memory like any operand.
    var bakesConstants: Bool { traits.contains(.elementwise) }
}

/// An operand of an element-wise kernel: memory it reads, or a constant it was compiled with.
enum Operand {
    case memory(Value)
    case constant(Float)
}

extension Emitter {
    /// The body of the kernel for `key`, given its pointer arguments.
    func emitKernel(_ key: KernelKey, arguments: [Value]) {
        var next = arguments.makeIterator()
        let operands = key.constants.map { constant in constant.map(Operand.constant) ?? .memory(next.next()!) }
        let result = key.op.hasResult ? next.next()! : nil
        let scratch = key.scratchFloats > 0 ? next.next() : nil
        let rows: RowCount = key.rowsArgument ? .argument(next.next()!, leftOver: key.result.dims[0]) : .known(key.result.dims.first ?? 0)
        // Without baked constants, every operand is an argument.
        let x = Array(arguments.prefix(key.operands.count))
        let shapes = key.operands
        switch key.op {
        case .input, .parameter, .constant:
            break
        case .unary(let op):
            elementwise(count: key.result.count, operands, shapes, into: result!) { apply(op, $0[0]) }
        case .binary(let op):
            elementwise(count: key.result.count, operands, shapes, into: result!) { apply(op, $0[0], $0[1]) }
        case .fused(let body):
            elementwise(count: key.result.count, operands, shapes, into: result!) { evaluate(body, $0) }
        case let .matmul(transposeA, transposeB):
            matmul(MatmulShape(shapes[0], shapes[1], transposeA: transposeA, transposeB: transposeB), rows: rows,
                   a: x[0], b: x[1], c: result!, kernel: key.matmul, scratch: scratch)
        case .dense(let activation):
            matmul(MatmulShape(shapes[0], shapes[1], transposeA: false, transposeB: false), rows: rows,
                   a: x[0], b: x[1], c: result!, kernel: key.matmul, scratch: scratch,
                   epilogue: Epilogue(bias: x[2], activation: activation))
        case .addBias:
            addBias(x[0], x[1], into: result!, rows: key.result.dims[0], columns: key.result.dims[1])
        case .sum where key.squaresOperand:
            storeScalar(sumContiguous(x[0], count: shapes[0].count, squared: true), result!)
        case .sum(let axis):
            sum(x[0], into: result!, shapes[0].split(at: axis))
        case .logSumExp:
            logSumExp(x[0], into: result!, rows: key.result.count, columns: shapes[0].dims.last!)
        case let .broadcast(axis, to):
            broadcast(x[0], into: result!, to.split(at: axis))
        case .concat:
            concat(x, widths: shapes.map { $0.dims.last! }, into: result!, rows: key.result.rows)
        case let .slice(start, count):
            copyColumns(x[0], width: shapes[0].dims.last!, from: start,
                        into: result!, width: count, at: 0, count: count, rows: key.result.rows)
        case let .pad(start, total):
            fill(splat(0), result!, count: key.result.count)
            copyColumns(x[0], width: shapes[0].dims.last!, from: 0,
                        into: result!, width: total, at: start, count: shapes[0].dims.last!, rows: key.result.rows)
        case .assign:
            copy(x[1], into: x[0], count: shapes[0].count)
        case .adamw(let settings):
            adamw(settings, x, counts: stride(from: 0, to: shapes.count - 3, by: 4).map { shapes[$0].count })
        }
    }
}

extension Shape {
    /// The shape viewed as [outer, extent, inner] around `axis` (nil: all of it is the extent),
    /// the interpreter's layout for sum and broadcast.
    func split(at axis: Int?) -> (outer: Int, extent: Int, inner: Int) {
        guard let axis else { return (1, count, 1) }
        return (dims[..<axis].reduce(1, *), dims[axis], dims[(axis + 1)...].reduce(1, *))
    }

    /// Rows when viewed as [rows, last axis].
    var rows: Int { dims.last.map { $0 == 0 ? 0 : count / $0 } ?? 1 }
}
