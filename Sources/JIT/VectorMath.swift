import CLLVM

/// exp, log, tanh and sigmoid on 16-lane vectors as polynomials, branch-free. Calling libm
/// per element would serialize every fused loop on a scalar call; these vectorize. The
/// polynomials are Cephes' single-precision ones (S. L. Moshier); measured errors against a
/// float64 reference are in docs/jit.md and checked by the JIT tests. Each is a function of
/// its module, called by every loop that needs it: inlined, a loop's copy of exp cost more to
/// compile than the loop.
extension Emitter {
    func exp(_ x: Value) -> Value { call(vectorFunction("exp", expPolynomial), [x]) }
    func log(_ x: Value) -> Value { call(vectorFunction("log", logPolynomial), [x]) }
    func tanh(_ x: Value) -> Value { call(vectorFunction("tanh", tanhPolynomial), [x]) }

    /// 1 / (1 + e^-x), the interpreter's formula.
    func sigmoid(_ x: Value) -> Value {
        div(splat(1), add(splat(1), exp(neg(x))))
    }

    private func vectorFunction(_ name: String, _ body: (Value) -> Value) -> Function {
        helper("vector_" + name, parameters: [vector], returns: vector) { body($0[0]) }
    }

    /// e^x: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (Cody–Waite split of ln 2, so r is exact),
    /// e^r by a degree-7 polynomial, and 2^n applied as two factors 2^(n/2) so that results in
    /// the subnormal range (x < -87.3) and the overflow edge (x > 88.4) come out right.
    private func expPolynomial(_ x: Value) -> Value {
        // Beyond these, e^x is 0 or +inf in float; clamping keeps n within two exponent fields.
        // maxnum/minnum turn NaN into a bound; NaN is put back at the end.
        let clamped = intrinsic("llvm.minnum", [vector], [intrinsic("llvm.maxnum", [vector], [x, splat(-104)]), splat(89)])
        let n = intrinsic("llvm.rint", [vector], [mul(clamped, splat(1.44269504088896341))])
        var r = fma(n, splat(-0.693359375), clamped)
        r = fma(n, splat(2.12194440e-4), r)
        var p = splat(1.9875691500e-4)
        for c: Float in [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1] {
            p = fma(p, r, splat(c))
        }
        p = add(fma(mul(r, r), p, r), splat(1))
        let ni = LLVMBuildFPToSI(builder, n, intVector, "")!
        let half = LLVMBuildAShr(builder, ni, splatInt(1), "")!
        let result = mul(mul(p, powerOfTwo(half)), powerOfTwo(LLVMBuildSub(builder, ni, half, "")!))
        return select(compare(LLVMRealUNO, x, x), x, result)
    }

    /// 2^k for integer lanes k in [-126, 127], by writing the exponent field.
    private func powerOfTwo(_ k: Value) -> Value {
        let biased = LLVMBuildAdd(builder, k, splatInt(127), "")!
        return bitcast(LLVMBuildShl(builder, biased, splatInt(23), "")!, to: vector)
    }

    /// ln x: x = m · 2^e with m in [√½, √2), ln m = f − f²/2 + f³·P(f) for f = m − 1, and
    /// e · ln 2 added in two parts. Subnormals are scaled into the normal range first.
    private func logPolynomial(_ x: Value) -> Value {
        let subnormal = compare(LLVMRealOLT, x, splat(Float.leastNormalMagnitude))
        let scaled = select(subnormal, mul(x, splat(8388608)), x)  // 2^23
        let bits = bitcast(scaled, to: intVector)
        var e = LLVMBuildSub(builder, LLVMBuildLShr(builder, bits, splatInt(23), "")!, splatInt(127), "")!
        e = select(subnormal, LLVMBuildSub(builder, e, splatInt(23), "")!, e)
        var m = bitcast(or(and(bits, splatInt(0x007f_ffff)), splatInt(0x3f80_0000)), to: vector)
        let upper = compare(LLVMRealOGT, m, splat(1.41421356237))
        m = select(upper, mul(m, splat(0.5)), m)
        e = select(upper, LLVMBuildAdd(builder, e, splatInt(1), "")!, e)
        let f = sub(m, splat(1))
        let z = mul(f, f)
        var p = splat(7.0376836292e-2)
        for c: Float in [-1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                         2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1] {
            p = fma(p, f, splat(c))
        }
        let ef = LLVMBuildSIToFP(builder, e, vector, "")!
        var y = mul(mul(p, f), z)
        y = fma(ef, splat(-2.12194440e-4), y)
        y = fma(z, splat(-0.5), y)
        var result = fma(ef, splat(0.693359375), add(f, y))
        // The edges, as libm: ln 0 = -inf, ln x<0 = NaN, ln inf = inf, NaN stays NaN.
        result = select(compare(LLVMRealOEQ, x, splat(Float.infinity)), x, result)
        result = select(compare(LLVMRealOEQ, x, splat(0)), splat(-Float.infinity), result)
        result = select(compare(LLVMRealOLT, x, splat(0)), splat(Float.nan), result)
        return select(compare(LLVMRealUNO, x, x), x, result)
    }

    /// tanh x: an odd polynomial below |x| = 0.625, 1 − 2 / (e^{2|x|} + 1) with x's sign above
    /// (which saturates to ±1 once e^{2|x|} overflows).
    private func tanhPolynomial(_ x: Value) -> Value {
        let z = mul(x, x)
        var p = splat(-5.70498872745e-3)
        for c: Float in [2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1] {
            p = fma(p, z, splat(c))
        }
        let small = fma(mul(p, z), x, x)
        let magnitude = intrinsic("llvm.fabs", [vector], [x])
        let large = sub(splat(1), div(splat(2), add(exp(add(magnitude, magnitude)), splat(1))))
        let signed = intrinsic("llvm.copysign", [vector], [large, x])
        return select(compare(LLVMRealOGE, magnitude, splat(0.625)), signed, small)
    }
}
