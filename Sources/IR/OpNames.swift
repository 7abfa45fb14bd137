/// The spelling of ops and their attributes in the text format: `name[attr=value, flag](operands)`.
extension Op {
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

    /// Attributes in print order; a nil value is a flag.
    var attributes: [(String, String?)] {
        switch self {
        case .unary(let u): return u.attributes
        case .binary(let b): return b.attributes
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
        default: return []
        }
    }
}

extension UnaryOp {
    public static let all: [UnaryOp] = [.neg, .exp, .log, .sqrt, .square, .tanh, .sigmoid,
                                        .leakyReLU(slope: 0), .clamp(low: 0, high: 0)]
    public var name: String {
        switch self {
        case .neg: return "neg"
        case .exp: return "exp"
        case .log: return "log"
        case .sqrt: return "sqrt"
        case .square: return "square"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .leakyReLU: return "leaky_relu"
        case .clamp: return "clamp"
        }
    }
    var attributes: [(String, String?)] {
        switch self {
        case .leakyReLU(let s): return [("slope", s.description)]
        case let .clamp(lo, hi): return [("low", lo.description), ("high", hi.description)]
        default: return []
        }
    }
}

extension BinaryOp {
    public static let all: [BinaryOp] = [.add, .sub, .mul, .div, .maximum, .minimum,
                                         .leakyReLUGrad(slope: 0), .clampGrad(low: 0, high: 0)]
    public var name: String {
        switch self {
        case .add: return "add"
        case .sub: return "sub"
        case .mul: return "mul"
        case .div: return "div"
        case .maximum: return "max"
        case .minimum: return "min"
        case .leakyReLUGrad: return "leaky_relu_grad"
        case .clampGrad: return "clamp_grad"
        }
    }
    var attributes: [(String, String?)] {
        switch self {
        case .leakyReLUGrad(let s): return [("slope", s.description)]
        case let .clampGrad(lo, hi): return [("low", lo.description), ("high", hi.description)]
        default: return []
        }
    }
}

func spell(_ name: String, _ attributes: [(String, String?)]) -> String {
    guard !attributes.isEmpty else { return name }
    return name + "[" + attributes.map { k, v in v.map { "\(k)=\($0)" } ?? k }.joined(separator: ", ") + "]"
}
