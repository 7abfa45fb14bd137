/// Pearson's χ² test of a rank histogram against the uniform distribution: the statistic
/// Σ (count − n/B)² / (n/B) over B equal bins has B − 1 degrees of freedom. It is
/// reliable when every bin expects about five or more ranks, so the default bin count
/// keeps about twenty per bin.
public struct UniformityTest: Equatable, Sendable {
    public var chiSquare: Double
    public var degreesOfFreedom: Int
    /// The probability of a χ² this large or larger when the ranks are uniform; a small
    /// value means the posterior is miscalibrated in this dimension.
    public var pValue: Double

    public init(counts: [Int]) {
        let n = Double(counts.reduce(0, +)), expected = n / Double(max(counts.count, 1))
        chiSquare = expected > 0 ? counts.reduce(0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected } : 0
        degreesOfFreedom = max(counts.count - 1, 1)
        pValue = Distributions.chiSquareSurvival(chiSquare, degreesOfFreedom: degreesOfFreedom)
    }
}

/// The interval of bin counts that holds a bin of uniform ranks with probability `level`:
/// the quantiles of Binomial(n, 1/B). About one bin in a hundred falls outside the 99%
/// band by chance; many bins outside it, or a shape (∪: too narrow, ∩: too wide, a slope:
/// biased), is the sign of a miscalibrated posterior.
public struct UniformBand: Equatable, Sendable, Codable {
    public var level: Double
    public var expected: Double
    public var lower: Int
    public var upper: Int

    public init(simulations n: Int, bins: Int, level: Double = 0.99) {
        self.level = level
        expected = Double(n) / Double(bins)
        let tail = (1 - level) / 2
        lower = Distributions.binomialQuantile(tail, trials: n, probability: 1 / Double(bins))
        upper = Distributions.binomialQuantile(1 - tail, trials: n, probability: 1 / Double(bins))
    }
}
