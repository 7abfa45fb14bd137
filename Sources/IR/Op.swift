/// The operations of the graph IR. Every op states how its result shape follows from its
/// operand shapes (`resultShape`), so shape checking falls out of building the graph.
/// Element-wise ops take operands of equal shape, or a scalar that is broadcast.
public enum Op: Hashable, Sendable {
    // Leaves.
    case input(String)          // fed by the caller on every run
    case parameter(String)      // persistent: weights and optimizer state
    case constant(Float)        // a scalar

    // Element-wise.
    case unary(UnaryOp)
    case binary(BinaryOp)

    // Linear algebra and structure. Structural ops work on the last (feature) axis.
    case matmul(transposeA: Bool, transposeB: Bool)   // rank 2
    case addBias                                       // [m, n] + [n]
    case sum(axis: Int?)                               // nil: all elements → scalar
    case logSumExp                                     // log Σ exp over the last axis, which it removes
    case broadcast(axis: Int?, to: Shape)              // the inverse of sum
    case concat                                        // along the last axis
    case slice(start: Int, count: Int)                 // along the last axis
    case pad(start: Int, total: Int)                   // zero padding: the inverse of slice

    // Side effects: write a parameter's storage. They produce no value.
    case assign                                        // (parameter, value)
    case adamw(AdamW)                                  // groups of (parameter, gradient, m, v), then (lr, step, gradient scale)

    // Fused ops, made by the fusion pass.
    case dense(activation: UnaryOp?)                   // activation(x · W + b)
    case fused(FusedBody)                              // a chain of element-wise ops in one loop
}

/// AdamW as PyTorch defines it (decoupled weight decay, bias-corrected moments).
public struct AdamW: Hashable, Sendable {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public init(beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
    }
}

/// The body of a fused element-wise op: straight-line code over the fused op's operands.
/// Instruction `i` may read operands (`.operand(k)`), earlier results (`.result(j)`, j < i) and
/// scalar literals. The last instruction's result is the fused op's value.
public struct FusedBody: Hashable, Sendable {
    public enum Argument: Hashable, Sendable {
        case operand(Int)
        case result(Int)
        case literal(Float)
    }
    public enum Kind: Hashable, Sendable {
        case unary(UnaryOp)
        case binary(BinaryOp)
    }
    public struct Instruction: Hashable, Sendable {
        public var kind: Kind
        public var arguments: [Argument]
        public init(_ kind: Kind, _ arguments: [Argument]) { self.kind = kind; self.arguments = arguments }
    }
    public var instructions: [Instruction]
    public init(_ instructions: [Instruction]) { self.instructions = instructions }
}

public struct ShapeError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Op {
    /// Whether the op yields a value (side-effecting ops do not).
    public var hasResult: Bool { !traits.contains(.writesParameter) }

    public var isElementwise: Bool { traits.contains(.elementwise) }

    /// The result shape, or a `ShapeError` that says why the operands do not fit.
    public func resultShape(_ operands: [Shape]) throws -> Shape {
        try row.arity.check(operands.count, name)
        switch self {
        case .input, .parameter:
            throw ShapeError("\(name) is a leaf: its shape is declared, not computed")
        case .constant:
            return .scalar
        case .unary:
            return operands[0]
        case .binary:
            return try Op.broadcastShape(operands[0], operands[1], name)
        case .fused(let body):
            var shape = Shape.scalar
            for s in operands { shape = try Op.broadcastShape(shape, s, name) }
            try body.check(operandCount: operands.count)
            return shape
        case let .matmul(ta, tb):
            let (a, b) = (operands[0], operands[1])
            guard a.rank == 2, b.rank == 2 else { throw ShapeError("matmul needs rank-2 operands, got \(a) and \(b)") }
            let (m, k1) = ta ? (a.dims[1], a.dims[0]) : (a.dims[0], a.dims[1])
            let (k2, n) = tb ? (b.dims[1], b.dims[0]) : (b.dims[0], b.dims[1])
            guard k1 == k2 else { throw ShapeError("matmul inner dimensions differ: \(a)\(ta ? "ᵀ" : "") · \(b)\(tb ? "ᵀ" : "")") }
            return [m, n]
        case .addBias:
            guard operands[0].rank == 2, operands[1].rank == 1, operands[0].dims[1] == operands[1].dims[0] else {
                throw ShapeError("add_bias needs [m, n] and [n], got \(operands[0]) and \(operands[1])")
            }
            return operands[0]
        case .dense:
            let xw = try Op.matmul(transposeA: false, transposeB: false).resultShape([operands[0], operands[1]])
            return try Op.addBias.resultShape([xw, operands[2]])
        case .logSumExp:
            guard operands[0].rank >= 1, operands[0].dims.last! > 0 else {
                throw ShapeError("logsumexp needs a non-empty last axis, got \(operands[0])")
            }
            return operands[0].removing(axis: operands[0].rank - 1)
        case .sum(let axis):
            guard let axis else { return .scalar }
            guard axis >= 0, axis < operands[0].rank else { throw ShapeError("sum over axis \(axis) of \(operands[0])") }
            return operands[0].removing(axis: axis)
        case let .broadcast(axis, to):
            if let axis {
                guard axis >= 0, axis < to.rank, to.removing(axis: axis) == operands[0] else {
                    throw ShapeError("cannot broadcast \(operands[0]) to \(to) along axis \(axis)")
                }
            } else if !operands[0].isScalar {
                throw ShapeError("broadcast without an axis takes a scalar, got \(operands[0])")
            }
            return to
        case .concat:
            guard let first = operands.first, first.rank >= 1 else { throw ShapeError("concat needs operands of rank ≥ 1") }
            var width = 0
            for s in operands {
                guard s.rank == first.rank, Array(s.dims.dropLast()) == Array(first.dims.dropLast()) else {
                    throw ShapeError("concat operands differ outside the last axis: \(first) and \(s)")
                }
                let (sum, overflow) = width.addingReportingOverflow(s.dims.last!)
                guard !overflow else { throw ShapeError("concat of \(operands.count) operands is too wide") }
                width = sum
            }
            return Shape(first.dims.dropLast() + [width])
        case let .slice(start, count):
            // Compared without adding, so that no start or count read from a file can overflow.
            guard let last = operands[0].dims.last, start >= 0, count > 0, start <= last, count <= last - start else {
                throw ShapeError("slice of \(count) at \(start) is outside \(operands[0])")
            }
            return Shape(operands[0].dims.dropLast() + [count])
        case let .pad(start, total):
            guard let last = operands[0].dims.last, last >= 0, start >= 0, start <= total, last <= total - start else {
                throw ShapeError("pad of \(operands[0]) at \(start) does not fit in \(total)")
            }
            return Shape(operands[0].dims.dropLast() + [total])
        case .assign:
            guard operands[0] == operands[1] else { throw ShapeError("assign of \(operands[1]) to a parameter of \(operands[0])") }
            return .scalar
        case .adamw:
            guard (operands.count - 3) % 4 == 0 else {
                throw ShapeError("adamw takes groups of (parameter, gradient, m, v) and then (lr, step, scale)")
            }
            for g in stride(from: 0, to: operands.count - 3, by: 4) {
                let p = operands[g]
                guard operands[g + 1] == p, operands[g + 2] == p, operands[g + 3] == p else {
                    throw ShapeError("adamw group \(g / 4): parameter, gradient and moments differ in shape")
                }
            }
            guard operands.suffix(3).allSatisfy(\.isScalar) else { throw ShapeError("adamw: lr, step and scale must be scalars") }
            return .scalar
        }
    }

    static func broadcastShape(_ a: Shape, _ b: Shape, _ name: String) throws -> Shape {
        if a == b || b.isScalar { return a }
        if a.isScalar { return b }
        throw ShapeError("\(name) needs equal shapes or a scalar, got \(a) and \(b)")
    }
}

extension FusedBody {
    func check(operandCount: Int) throws {
        guard !instructions.isEmpty else { throw ShapeError("fused body is empty") }
        for (i, ins) in instructions.enumerated() {
            let expected: Int
            switch ins.kind {
            case .unary: expected = 1
            case .binary: expected = 2
            }
            guard ins.arguments.count == expected else { throw ShapeError("fused instruction \(i) takes \(expected) argument(s)") }
            for a in ins.arguments {
                switch a {
                case .operand(let k) where k < 0 || k >= operandCount:
                    throw ShapeError("fused instruction \(i) reads operand \(k) of \(operandCount)")
                case .result(let j) where j < 0 || j >= i:
                    throw ShapeError("fused instruction \(i) reads result \(j) before it exists")
                default: break
                }
            }
        }
    }
}
