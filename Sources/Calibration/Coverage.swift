/// Expected coverage per dimension: the fraction of θ*ᵢ that lie inside the central
/// α-credible interval of their posterior samples, for each credibility level α. For an
/// exact posterior it is α; below the diagonal the posterior is overconfident (too
/// narrow), above it underconfident (too wide).
///
/// θ*ᵢ is inside the central α-interval of L samples when its rank r is within α/2 of the
/// middle: |r/L − ½| ≤ α/2. These are per-dimension (marginal) intervals; the joint
/// coverage of all dimensions would need the posterior density, which a VAE does not give.
public enum Coverage {
    /// 0, 0.05, …, 1.
    public static let levels = (0...20).map { Double($0) / 20 }

    /// What the coverage counts, in the words of the JSON report.
    public static let definition = "per dimension: θ*ᵢ inside the central α-interval of its posterior samples, |rank/L − 1/2| ≤ α/2"

    /// The coverage of each level in `levels` by `ranks`, each in 0…`maximum`.
    public static func coverage(ranks: [Int], maximum: Int, levels: [Double] = levels) -> [Double] {
        guard !ranks.isEmpty else { return levels.map { _ in .nan } }
        return levels.map { alpha in
            // |2r − L| ≤ α·L, in integers where possible; the slack absorbs α·L's rounding.
            let inside = ranks.filter { Double(abs(2 * $0 - maximum)) <= alpha * Double(maximum) + 1e-9 }.count
            return Double(inside) / Double(ranks.count)
        }
    }

    /// The range in which the coverage of an exact posterior falls with probability
    /// `level`, at each credibility level: binomial quantiles over n simulations.
    public static func band(simulations n: Int, levels: [Double] = levels,
                            level: Double = 0.95) -> [(lower: Double, upper: Double)] {
        let tail = (1 - level) / 2
        return levels.map { alpha in
            (Double(Distributions.binomialQuantile(tail, trials: n, probability: alpha)) / Double(max(n, 1)),
             Double(Distributions.binomialQuantile(1 - tail, trials: n, probability: alpha)) / Double(max(n, 1)))
        }
    }
}
