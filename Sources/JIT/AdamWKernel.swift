import CLLVM
import Foundation
import IR

extension Emitter {
    /// PyTorch's AdamW on every (parameter, gradient, m, v) group: the per-step scalars once,
    /// then one vector pass per tensor that reads p, g, m, v and writes p, m, v.
    ///
    /// The moments are the interpreter's arithmetic operation for operation (no contraction
    /// into FMAs), so m and v agree with it to the bit. The weight update differs from the
    /// interpreter's in rounding only: √|v| / √c₂ becomes √|v| · (1/√c₂), with the reciprocal
    /// taken once per step, which leaves one square root and one division per weight instead
    /// of one and two. Both that multiply and the remaining division are correctly rounded, so
    /// the update is within an ulp or two of the interpreter's — about 10⁻⁷ of lr, far below
    /// a weight's own ulp. The square root and division are kept rather than replaced by
    /// reciprocal-square-root estimates plus Newton steps: those are x86 instructions
    /// whose precision differs between AVX2 (12 bits) and AVX-512 (14 bits), and the pass is
    /// bound by streaming p, g, m and v, not by the divider, once the second division is gone.
    func adamw(_ s: AdamW, _ x: [Value], counts: [Int]) {
        let lr = loadScalar(x[x.count - 3]), step = loadScalar(x[x.count - 2]), scale = loadScalar(x[x.count - 1])
        let expf = declare("expf", returns: float, [float])
        func libmExp(_ v: Value) -> Value { call(expf, [v]) }
        // 1 - β^t as the interpreter writes it: exp(t · log β), log β folded here with libm's logf.
        let c1 = sub(constant(1), libmExp(mul(step, constant(Foundation.logf(s.beta1)))))
        let c2 = sub(constant(1), libmExp(mul(step, constant(Foundation.logf(s.beta2)))))
        let decay = sub(constant(1), mul(lr, constant(s.weightDecay)))
        let stepSize = div(lr, c1)
        let inverseRootC2 = div(constant(1), sqrt(c2))
        for (group, count) in counts.enumerated() {
            let update = adamwUpdate(s, count: count)
            call(update, Array(x[(4 * group)..<(4 * group + 4)]) + [decay, stepSize, inverseRootC2, scale])
        }
    }

    /// The update of one tensor of `count` floats, shared by all tensors of that size.
    private func adamwUpdate(_ s: AdamW, count: Int) -> Function {
        let name = "adamw_\(s.beta1)_\(s.beta2)_\(s.epsilon)_\(count)"
        return helper(name, parameters: Array(repeating: floatPointer, count: 4) + Array(repeating: float, count: 4)) { a in
            let (p, g, m, v) = (a[0], a[1], a[2], a[3])
            let (decay, stepSize, inverseRootC2, gradientScale) = (splat(a[4]), splat(a[5]), splat(a[6]), splat(a[7]))
            let b1 = splat(s.beta1), b2 = splat(s.beta2), epsilon = splat(s.epsilon)
            let oneMinusB1 = splat(1 - s.beta1), oneMinusB2 = splat(1 - s.beta2)
            forEachVector(count: count) { offset, lanes in
                let gi = mul(load(advance(g, by: offset), lanes: lanes), gradientScale)
                let mi = add(mul(b1, load(advance(m, by: offset), lanes: lanes)), mul(oneMinusB1, gi))
                let vi = add(mul(b2, load(advance(v, by: offset), lanes: lanes)), mul(mul(oneMinusB2, gi), gi))
                // √|v| as the interpreter takes it (v is never negative; see Kernels.adamw).
                let denominator = add(mul(sqrt(intrinsic("llvm.fabs", [vector], [vi])), inverseRootC2), epsilon)
                let pi = sub(mul(load(advance(p, by: offset), lanes: lanes), decay), div(mul(stepSize, mi), denominator))
                store(mi, advance(m, by: offset), lanes: lanes)
                store(vi, advance(v, by: offset), lanes: lanes)
                store(pi, advance(p, by: offset), lanes: lanes)
            }
            return nil
        }
    }
}
