import Foundation

extension RandomStream {
    /// An exact Binomial(count, probability) draw.
    ///
    /// Means below 10 use sequential inversion (few uniforms, exact); larger means use
    /// Hörmann's BTRS transformed rejection with squeeze (1993), which is exact and needs
    /// about 1.1 pairs of uniforms per draw. Probabilities above ½ are mirrored so both
    /// methods only see p ≤ ½. The probability is clamped to [0, 1]; NaN counts as 0, as
    /// does a count that is not positive.
    public mutating func binomial(count: Int, probability: Double) -> Int {
        guard count > 0, probability > 0 else { return 0 }
        if probability >= 1 { return count }
        if probability > 0.5 {
            // 1 − p is exact here (Sterbenz), so mirroring loses nothing.
            return count - binomial(count: count, probability: 1 - probability)
        }
        if Double(count) * probability < 10 {
            return binomialInversion(count: count, probability: probability)
        }
        return binomialBTRS(count: count, probability: probability)
    }

    /// Inversion by walking the pmf from 0 with the ratio recurrence
    /// f(x) = f(x − 1) · s·(n + 1 − x)/x, s = p/q. With a mean below 10 the walk stops after
    /// a handful of steps; it restarts (instead of looping on) if rounding leaves `u` above
    /// the summed pmf, and treats x > 200 as such a case, since P(X > 200) < 1e−150 here.
    private mutating func binomialInversion(count n: Int, probability p: Double) -> Int {
        let q = 1 - p
        let s = p / q
        let a = Double(n + 1) * s
        let f0 = exp(Double(n) * log1p(-p))
        let limit = min(n, 200)
        while true {
            var u = uniform()
            var f = f0
            var x = 0
            while u > f {
                u -= f
                x += 1
                if x > limit { break }
                f *= a / Double(x) - s
            }
            if x <= limit { return x }
        }
    }

    /// BTRS, following Hörmann (1993), "The generation of binomial random variates",
    /// J. Statist. Comput. Simul. 46, with the acceptance test taken in log space.
    private mutating func binomialBTRS(count: Int, probability p: Double) -> Int {
        let n = Double(count)
        let q = 1 - p
        let spq = (n * p * q).squareRoot()
        let b = 1.15 + 2.53 * spq
        let a = -0.0873 + 0.0248 * b + 0.01 * p
        let c = n * p + 0.5
        let vr = 0.92 - 4.2 / b
        let alpha = (2.83 + 5.1 / b) * spq
        let r = p / q
        let m = ((n + 1) * p).rounded(.down)
        let modeTerm = (m + 0.5) * log((m + 1) / (r * (n - m + 1)))
            + stirlingTail(m) + stirlingTail(n - m)
        while true {
            let u = uniform() - 0.5
            let v = uniform()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + c).rounded(.down)
            guard k >= 0, k <= n else { continue }
            if us >= 0.07 && v <= vr { return Int(k) }
            let logV = log(v * alpha / (a / (us * us) + b))
            let logRatio = modeTerm
                + (n + 1) * log((n - m + 1) / (n - k + 1))
                + (k + 0.5) * log(r * (n - k + 1) / (k + 1))
                - stirlingTail(k) - stirlingTail(n - k)
            if logV <= logRatio { return Int(k) }
        }
    }
}

/// δ(k) = log k! − [½·log 2π + (k + ½)·log(k + 1) − (k + 1)], the error of Stirling's
/// formula written around k + 1. From lgamma for small k; otherwise from the asymptotic
/// series in 1/(k + 1), whose first omitted term is below 4e−13 for k ≥ 10.
private func stirlingTail(_ k: Double) -> Double {
    if k < 10 {
        let stirling: Double = 0.5 * log(2 * Double.pi) + (k + 0.5) * log(k + 1) - (k + 1)
        return lgamma(k + 1) - stirling
    }
    let k1 = k + 1
    let k2 = k1 * k1
    return (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * k2)) / k2) / k2) / k1
}
