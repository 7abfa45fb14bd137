import Foundation

/// The distribution functions the calibration statistics need, written out because
/// Foundation has none: the χ² survival function for p-values and binomial quantiles for
/// the bands that an exactly calibrated posterior stays inside.
public enum Distributions {
    /// P(X ≥ x) for X ~ χ²(degreesOfFreedom).
    public static func chiSquareSurvival(_ x: Double, degreesOfFreedom: Int) -> Double {
        guard x > 0 else { return 1 }
        return regularizedUpperGamma(Double(degreesOfFreedom) / 2, x / 2)
    }

    /// Q(a, x) = Γ(a, x) / Γ(a), by its power series below x = a + 1 and by Lentz's continued
    /// fraction above (Numerical Recipes §6.2): each converges fast where it is used.
    public static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 1 }
        let logPrefactor: Double = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a, sum = term, n = a
            for _ in 0..<10_000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-15 { break }
            }
            return max(0, 1 - sum * exp(logPrefactor))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return min(1, exp(logPrefactor) * h)
    }

    /// The smallest k with P(X ≤ k) ≥ q for X ~ Binomial(n, p).
    public static func binomialQuantile(_ q: Double, trials n: Int, probability p: Double) -> Int {
        guard n > 0, p > 0 else { return 0 }
        guard p < 1 else { return n }
        let logNFactorial: Double = lgamma(Double(n) + 1)
        var cumulative = 0.0
        for k in 0...n {
            let logPMF: Double = logNFactorial - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
                + Double(k) * log(p) + Double(n - k) * log1p(-p)
            cumulative += exp(logPMF)
            if cumulative >= q { return k }
        }
        // Rounding can leave the sum just below 1; q = 1 then ends here, where it belongs.
        return n
    }
}
