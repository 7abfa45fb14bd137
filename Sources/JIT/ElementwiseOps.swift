import CLLVM
import IR

/// The element-wise ops on 16-lane vectors, with the interpreter's semantics to the bit
/// (Sources/Interpreter/Kernels.swift) except where exp, log and tanh approximate.
extension Emitter {
    func apply(_ op: UnaryOp, _ x: Value) -> Value {
        switch op {
        case .neg: return neg(x)
        case .exp: return exp(x)
        case .log: return log(x)
        case .sqrt: return sqrt(x)
        case .square: return mul(x, x)
        case .tanh: return tanh(x)
        case .sigmoid: return sigmoid(x)
        case .softplus:
            // The interpreter's formula: max(x, 0) + log1p(e^−|x|), log1p(e) as log(u)·e / (u − 1)
            // with u = 1 + e (Goldberg), which keeps the relative accuracy of log where e ≪ 1.
            let e = exp(neg(intrinsic("llvm.fabs", [vector], [x])))
            let u = add(splat(1), e)
            let log1p = select(compare(LLVMRealOEQ, u, splat(1)), e, div(mul(log(u), e), sub(u, splat(1))))
            return add(maximum(x, splat(0)), log1p)
        case .leakyReLU(let slope):
            return select(compare(LLVMRealOGT, x, splat(0)), x, mul(x, splat(slope)))
        case let .clamp(low, high):
            return minimum(maximum(x, splat(low)), splat(high))
        }
    }

    func apply(_ op: BinaryOp, _ a: Value, _ b: Value) -> Value {
        switch op {
        case .add: return add(a, b)
        case .sub: return sub(a, b)
        case .mul: return mul(a, b)
        case .div: return div(a, b)
        case .maximum: return maximum(a, b)
        case .minimum: return minimum(a, b)
        case .less: return select(compare(LLVMRealOLT, a, b), splat(1), splat(0))
        case .leakyReLUGrad(let slope):
            return select(compare(LLVMRealOGT, a, splat(0)), b, mul(b, splat(slope)))
        case let .clampGrad(low, high):
            let inside = and(compare(LLVMRealOGE, a, splat(low)), compare(LLVMRealOLE, a, splat(high)))
            return select(inside, b, splat(0))
        }
    }

    /// Swift.max(a, b) = b >= a ? b : a, so a NaN in `a` wins and a NaN in `b` loses, exactly
    /// as the interpreter (llvm.maxnum would differ).
    private func maximum(_ a: Value, _ b: Value) -> Value { select(compare(LLVMRealOGE, b, a), b, a) }

    /// Swift.min(a, b) = b < a ? b : a.
    private func minimum(_ a: Value, _ b: Value) -> Value { select(compare(LLVMRealOLT, b, a), b, a) }
}

extension UnaryOp {
    /// A few instructions, as opposed to a polynomial approximation.
    var isCheap: Bool { row.traits.contains(.cheap) }
}
