/// The op table: for every kind of op its name, attributes, operand count and traits, and for
/// the element-wise ops also their derivative and where tests draw their operands. The
/// printer, parser, verifier, flop count, autodiff, fusion and the JIT's kernel names read
/// it; the back ends keep only their kernels. Adding an element-wise op is a case and a row
/// here, plus one kernel in each back end (Interpreter/Kernels.swift, JIT/ElementwiseOps.swift),
/// whose switches are exhaustive: the compiler names both. The parity and gradient tests
/// iterate over the rows, so a new row is tested without a line of test code.

/// What the passes and back ends may assume of an op.
public struct OpTraits: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Fed by the caller or the parameter store, or a literal: no operands, a declared shape.
    public static let leaf = OpTraits(rawValue: 1 << 0)
    /// Element by element over operands of one shape, or a broadcast scalar.
    public static let elementwise = OpTraits(rawValue: 1 << 1)
    /// May join a fused element-wise loop.
    public static let fusible = OpTraits(rawValue: 1 << 2)
    /// May end a dense layer (activation(x · W + b)), and a spec may name it as an activation.
    public static let activation = OpTraits(rawValue: 1 << 3)
    /// A few instructions on both back ends, so they agree to the bit; without it the JIT
    /// approximates with polynomials (exp, log, tanh), within a few units in the last place.
    public static let cheap = OpTraits(rawValue: 1 << 4)
    /// Overwrites parameter storage and yields no value.
    public static let writesParameter = OpTraits(rawValue: 1 << 5)
    /// Has a vector–Jacobian product (IR/Derivatives.swift).
    public static let differentiable = OpTraits(rawValue: 1 << 6)
    /// Made by the fusion pass, never by lowering or autodiff.
    public static let fused = OpTraits(rawValue: 1 << 7)
}

/// How many operands an op takes.
public enum Arity: Hashable, Sendable {
    case exactly(Int)
    case atLeast(Int)

    func check(_ count: Int, _ name: String) throws {
        switch self {
        case .exactly(let n) where count != n: throw ShapeError("\(name) takes \(n) operand(s), got \(count)")
        case .atLeast(let n) where count < n: throw ShapeError("\(name) takes at least \(n) operand(s), got \(count)")
        case .exactly, .atLeast: break
        }
    }
}

/// One row of the op table.
public struct OpRow: Sendable {
    public let name: String
    /// Attribute keys in print order.
    public let attributes: [String]
    public let arity: Arity
    public let traits: OpTraits
    /// The op from its attributes as the text format spells them.
    let parse: @Sendable (inout AttributeReader) throws -> Op

    init(_ name: String, _ attributes: [String] = [], arity: Arity, _ traits: OpTraits,
         parse: @escaping @Sendable (inout AttributeReader) throws -> Op) {
        self.name = name; self.attributes = attributes; self.arity = arity; self.traits = traits; self.parse = parse
    }
}

// MARK: - Element-wise ops

public enum UnaryOp: Hashable, Sendable {
    case neg, exp, log, sqrt, square, tanh, sigmoid, softplus
    case leakyReLU(slope: Float)
    case clamp(low: Float, high: Float)
}

public enum BinaryOp: Hashable, Sendable {
    case add, sub, mul, div, maximum, minimum
    /// `a < b ? 1 : 0`: a step, for choosing among discrete outcomes (a mixture's component, a
    /// spline's bin). Its derivative is zero wherever it exists (everywhere but the step), so
    /// no gradient flows through it: a loss may read one where what it selects among is
    /// continuous across the step, as a spline's pieces are at their knots.
    case less
    /// `g · (y > 0 ? 1 : slope)` for y = leaky_relu(x): the derivative reads the activation's
    /// output, not its input, so the pre-activation dies inside the fused dense op.
    case leakyReLUGrad(slope: Float)
    /// `g · (low ≤ x ≤ high ? 1 : 0)`: the derivative of clamp.
    case clampGrad(low: Float, high: Float)
}

/// dx given (the op, x, y = op(x), the cotangent g of y).
public typealias UnaryDerivative = @Sendable (inout Builder, _ op: UnaryOp, _ x: Int, _ y: Int, _ g: Int) throws -> Int
/// (da, db) given (a, b, y = op(a, b), the cotangent g of y); nil for an operand that receives
/// no cotangent (a zero derivative).
public typealias BinaryDerivative = @Sendable (inout Builder, _ a: Int, _ b: Int, _ y: Int, _ g: Int) throws -> (Int?, Int?)

/// A row of the element-wise part of the table.
public struct ElementwiseRow<Kind: Sendable, Derivative: Sendable>: Sendable {
    public let name: String
    public let traits: OpTraits
    /// Numeric attributes, in print order.
    public let attributes: [String]
    /// Ops of this row as tests build them (typical attribute values).
    public let examples: [Kind]
    /// Where the op is smooth and finite: tests draw its operands from here.
    public let domain: ClosedRange<Double>
    /// The op with these attribute values (in `attributes` order).
    public let make: @Sendable ([Float]) -> Kind
    /// The vector–Jacobian product; nil where the op has none.
    public let derivative: Derivative?
}

public typealias UnaryRow = ElementwiseRow<UnaryOp, UnaryDerivative>
public typealias BinaryRow = ElementwiseRow<BinaryOp, BinaryDerivative>

extension ElementwiseRow where Kind == UnaryOp, Derivative == UnaryDerivative {
    init(_ name: String, _ traits: OpTraits, attributes: [String] = [], examples: [UnaryOp], domain: ClosedRange<Double> = -3...3,
         make: @escaping @Sendable ([Float]) -> UnaryOp, derivative: UnaryDerivative?) {
        self.init(name: name, traits: traits, attributes: attributes, examples: examples, domain: domain, make: make, derivative: derivative)
    }
}

extension ElementwiseRow where Kind == BinaryOp, Derivative == BinaryDerivative {
    init(_ name: String, _ traits: OpTraits, attributes: [String] = [], examples: [BinaryOp], domain: ClosedRange<Double> = -3...3,
         make: @escaping @Sendable ([Float]) -> BinaryOp, derivative: BinaryDerivative?) {
        self.init(name: name, traits: traits, attributes: attributes, examples: examples, domain: domain, make: make, derivative: derivative)
    }
}

extension UnaryOp {
    public static let table: [UnaryRow] = [
        UnaryRow("neg", [.cheap], examples: [.neg], make: { _ in .neg }) { b, _, _, _, g in try b.unary(.neg, g) },
        UnaryRow("exp", [], examples: [.exp], make: { _ in .exp }) { b, _, _, y, g in try b.mul(g, y) },
        UnaryRow("log", [], examples: [.log], domain: 0.5...4, make: { _ in .log }) { b, _, x, _, g in try b.binary(.div, g, x) },
        UnaryRow("sqrt", [.cheap], examples: [.sqrt], domain: 0.5...4, make: { _ in .sqrt }) { b, _, _, y, g in
            try b.binary(.div, try b.mul(g, constant: 0.5), y)
        },
        UnaryRow("square", [.cheap], examples: [.square], make: { _ in .square }) { b, _, x, _, g in
            try b.mul(try b.mul(g, x), constant: 2)
        },
        UnaryRow("tanh", [.activation], examples: [.tanh], make: { _ in .tanh }) { b, _, _, y, g in
            try b.mul(g, try b.sub(try b.constant(1), try b.unary(.square, y)))
        },
        UnaryRow("sigmoid", [.activation], examples: [.sigmoid], make: { _ in .sigmoid }) { b, _, _, y, g in
            try b.mul(try b.mul(g, y), try b.sub(try b.constant(1), y))
        },
        // log(1 + e^x), written max(x, 0) + log(1 + e^−|x|) so that e^x cannot overflow.
        UnaryRow("softplus", [.activation], examples: [.softplus], domain: -20...20, make: { _ in .softplus }) { b, _, x, _, g in
            try b.mul(g, try b.unary(.sigmoid, x))
        },
        UnaryRow("leaky_relu", [.cheap, .activation], attributes: ["slope"], examples: [.leakyReLU(slope: 0.1), .leakyReLU(slope: 0)],
                 make: { .leakyReLU(slope: $0[0]) }) { b, op, _, y, g in
            try b.binary(.leakyReLUGrad(slope: op.attributeValues[0]), y, g)
        },
        UnaryRow("clamp", [.cheap], attributes: ["low", "high"], examples: [.clamp(low: -1.5, high: 2)],
                 make: { .clamp(low: $0[0], high: $0[1]) }) { b, op, x, _, g in
            try b.binary(.clampGrad(low: op.attributeValues[0], high: op.attributeValues[1]), x, g)
        },
    ]

    /// This op's row of the table.
    public var row: UnaryRow { UnaryOp.rows[name]! }

    public var name: String {
        switch self {
        case .neg: return "neg"
        case .exp: return "exp"
        case .log: return "log"
        case .sqrt: return "sqrt"
        case .square: return "square"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .softplus: return "softplus"
        case .leakyReLU: return "leaky_relu"
        case .clamp: return "clamp"
        }
    }

    /// Attribute values in the order of `row.attributes`.
    public var attributeValues: [Float] {
        switch self {
        case .neg, .exp, .log, .sqrt, .square, .tanh, .sigmoid, .softplus: return []
        case .leakyReLU(let slope): return [slope]
        case let .clamp(low, high): return [low, high]
        }
    }

    static let rows = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })
}

extension BinaryOp {
    public static let table: [BinaryRow] = [
        BinaryRow("add", [.cheap], examples: [.add], make: { _ in .add }) { _, _, _, _, g in (g, g) },
        BinaryRow("sub", [.cheap], examples: [.sub], make: { _ in .sub }) { b, _, _, _, g in (g, try b.unary(.neg, g)) },
        BinaryRow("mul", [.cheap], examples: [.mul], make: { _ in .mul }) { b, x0, x1, _, g in (try b.mul(g, x1), try b.mul(g, x0)) },
        BinaryRow("div", [.cheap], examples: [.div], domain: 0.5...2, make: { _ in .div }) { b, _, d, y, g in
            let ga = try b.binary(.div, g, d)
            return (ga, try b.unary(.neg, try b.mul(ga, y)))
        },
        BinaryRow("max", [.cheap], examples: [.maximum], make: { _ in .maximum }, derivative: nil),
        BinaryRow("min", [.cheap], examples: [.minimum], make: { _ in .minimum }, derivative: nil),
        BinaryRow("less", [.cheap], examples: [.less], make: { _ in .less }) { _, _, _, _, _ in (nil, nil) },
        BinaryRow("leaky_relu_grad", [.cheap], attributes: ["slope"], examples: [.leakyReLUGrad(slope: 0.1)],
                  make: { .leakyReLUGrad(slope: $0[0]) }, derivative: nil),
        BinaryRow("clamp_grad", [.cheap], attributes: ["low", "high"], examples: [.clampGrad(low: -0.5, high: 0.5)],
                  make: { .clampGrad(low: $0[0], high: $0[1]) }, derivative: nil),
    ]

    public var row: BinaryRow { BinaryOp.rows[name]! }

    public var name: String {
        switch self {
        case .add: return "add"
        case .sub: return "sub"
        case .mul: return "mul"
        case .div: return "div"
        case .maximum: return "max"
        case .minimum: return "min"
        case .less: return "less"
        case .leakyReLUGrad: return "leaky_relu_grad"
        case .clampGrad: return "clamp_grad"
        }
    }

    public var attributeValues: [Float] {
        switch self {
        case .add, .sub, .mul, .div, .maximum, .minimum, .less: return []
        case .leakyReLUGrad(let slope): return [slope]
        case let .clampGrad(low, high): return [low, high]
        }
    }

    static let rows = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })
}

// MARK: - Every op

extension Op {
    /// Every row: the leaves, the element-wise ops, then structure, side effects and fused ops.
    public static let table: [OpRow] = {
        func elementwise(_ traits: OpTraits, differentiable: Bool) -> OpTraits {
            traits.union([.elementwise, .fusible]).union(differentiable ? .differentiable : [])
        }
        let leaves = [
            OpRow("input", arity: .exactly(0), [.leaf]) { _ in throw ScanError(message: "input is spelled \"input NAME\"") },
            OpRow("param", arity: .exactly(0), [.leaf]) { _ in throw ScanError(message: "param is spelled \"param NAME\"") },
            OpRow("const", arity: .exactly(0), [.leaf]) { _ in throw ScanError(message: "const is spelled \"const VALUE\"") },
        ]
        let unary = UnaryOp.table.map { row in
            OpRow(row.name, row.attributes, arity: .exactly(1), elementwise(row.traits, differentiable: row.derivative != nil)) { a in
                .unary(row.make(try row.attributes.map { try a.float($0) }))
            }
        }
        let binary = BinaryOp.table.map { row in
            OpRow(row.name, row.attributes, arity: .exactly(2), elementwise(row.traits, differentiable: row.derivative != nil)) { a in
                .binary(row.make(try row.attributes.map { try a.float($0) }))
            }
        }
        let structure = [
            OpRow("matmul", ["transpose_a", "transpose_b"], arity: .exactly(2), [.differentiable]) { a in
                .matmul(transposeA: a.flag("transpose_a"), transposeB: a.flag("transpose_b"))
            },
            OpRow("add_bias", arity: .exactly(2), [.differentiable]) { _ in .addBias },
            OpRow("sum", ["axis"], arity: .exactly(1), [.differentiable]) { a in .sum(axis: try a.optionalInt("axis")) },
            // max + log Σ exp(x − max) over the last axis: a mixture's log-density, a softmax's normalizer.
            OpRow("logsumexp", arity: .exactly(1), [.differentiable]) { _ in .logSumExp },
            OpRow("broadcast", ["axis", "to"], arity: .exactly(1), [.differentiable]) { a in
                .broadcast(axis: try a.optionalInt("axis"), to: try a.shape("to"))
            },
            OpRow("concat", arity: .atLeast(1), [.differentiable]) { _ in .concat },
            OpRow("slice", ["start", "count"], arity: .exactly(1), [.differentiable]) { a in
                .slice(start: try a.int("start"), count: try a.int("count"))
            },
            OpRow("pad", ["start", "total"], arity: .exactly(1), [.differentiable]) { a in
                .pad(start: try a.int("start"), total: try a.int("total"))
            },
            OpRow("assign", arity: .exactly(2), [.writesParameter]) { _ in .assign },
            OpRow("adamw", ["beta1", "beta2", "epsilon", "weight_decay"], arity: .atLeast(7), [.writesParameter]) { a in
                .adamw(AdamW(beta1: try a.float("beta1"), beta2: try a.float("beta2"),
                             epsilon: try a.float("epsilon"), weightDecay: try a.float("weight_decay")))
            },
            // The activation of a dense op and the body of a fused one follow the name.
            OpRow("dense", arity: .exactly(3), [.fused]) { _ in .dense(activation: nil) },
            OpRow("fused", arity: .atLeast(1), [.fused, .elementwise, .fusible]) { _ in .fused(FusedBody([])) },
        ]
        return leaves + unary + binary + structure
    }()

    static let rows = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })

    /// This op's row.
    public var row: OpRow { Op.rows[name]! }

    public var traits: OpTraits { row.traits }

    public var name: String {
        switch self {
        case .input: return "input"
        case .parameter: return "param"
        case .constant: return "const"
        case .unary(let u): return u.name
        case .binary(let b): return b.name
        case .matmul: return "matmul"
        case .addBias: return "add_bias"
        case .sum: return "sum"
        case .logSumExp: return "logsumexp"
        case .broadcast: return "broadcast"
        case .concat: return "concat"
        case .slice: return "slice"
        case .pad: return "pad"
        case .assign: return "assign"
        case .adamw: return "adamw"
        case .dense: return "dense"
        case .fused: return "fused"
        }
    }

    /// Attributes in print order (the row's keys); a nil value is a flag.
    var attributes: [(String, String?)] {
        switch self {
        case .unary(let u): return zip(u.row.attributes, u.attributeValues.map { Optional($0.description) }).map { ($0, $1) }
        case .binary(let b): return zip(b.row.attributes, b.attributeValues.map { Optional($0.description) }).map { ($0, $1) }
        case let .matmul(ta, tb):
            return (ta ? [("transpose_a", nil)] : []) + (tb ? [("transpose_b", nil)] : [])
        case let .sum(axis):
            return axis.map { [("axis", String($0))] } ?? []
        case let .broadcast(axis, to):
            return (axis.map { [("axis", String($0))] } ?? []) + [("to", to.description)]
        case let .slice(start, count): return [("start", String(start)), ("count", String(count))]
        case let .pad(start, total): return [("start", String(start)), ("total", String(total))]
        case .adamw(let a):
            return [("beta1", a.beta1.description), ("beta2", a.beta2.description),
                    ("epsilon", a.epsilon.description), ("weight_decay", a.weightDecay.description)]
        case .input, .parameter, .constant, .addBias, .logSumExp, .concat, .assign, .dense, .fused: return []
        }
    }

    /// The op spelled `name` with `attributes` (every attribute required unless optional,
    /// none unknown).
    init(name: String, attributes: [String: String]) throws {
        guard let row = Op.rows[name], !row.traits.contains(.leaf) else { throw ScanError(message: "unknown op \"\(name)\"") }
        var reader = AttributeReader(op: name, attributes: attributes)
        self = try row.parse(&reader)
        if let extra = attributes.keys.sorted().first(where: { !reader.used.contains($0) }) {
            throw ScanError(message: "\(name) has no attribute \"\(extra)\"")
        }
    }
}

extension UnaryOp {
    public static var all: [UnaryOp] { table.flatMap(\.examples) }
}

extension BinaryOp {
    public static var all: [BinaryOp] { table.flatMap(\.examples) }
}

/// Reads an op's attributes as the text format spells them, remembering which it read.
struct AttributeReader {
    let op: String
    let attributes: [String: String]
    var used = Set<String>()

    mutating func float(_ key: String) throws -> Float {
        used.insert(key)
        guard let s = attributes[key], let v = Float(s) else { throw ScanError(message: "\(op) needs a number \(key)=") }
        return v
    }
    mutating func int(_ key: String) throws -> Int {
        used.insert(key)
        guard let s = attributes[key], let v = Int(s) else { throw ScanError(message: "\(op) needs an integer \(key)=") }
        return v
    }
    mutating func optionalInt(_ key: String) throws -> Int? { attributes[key] == nil ? nil : try int(key) }
    mutating func flag(_ key: String) -> Bool { used.insert(key); return attributes[key] != nil }
    mutating func shape(_ key: String) throws -> Shape {
        used.insert(key)
        var s = Scanner(Substring(attributes[key] ?? ""))
        return try s.shape()
    }
}
