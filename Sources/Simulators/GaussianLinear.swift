import Random

/// sbibm `gaussian_linear` and `gaussian_linear_uniform` (tasks.md §2–3):
/// x | θ ~ N(θ, 0.1·I₁₀), with prior N(0, 0.1·I₁₀) or U(−1, 1)¹⁰. Both 0.1s are variances.
public struct GaussianLinear: Simulator {
    public static let dimension = 10
    public static let noiseVariance = 0.1

    public let name: String
    public let parameterNames = numberedParameters(GaussianLinear.dimension)
    public let observationDimension = GaussianLinear.dimension
    public let prior: Prior

    /// The Gaussian-prior task, or with `uniformPrior` the uniform one.
    public init(uniformPrior: Bool = false) {
        let d = Self.dimension
        if uniformPrior {
            name = "gaussian_linear_uniform"
            prior = .constant(.uniform(lower: Array(repeating: -1, count: d),
                                       upper: Array(repeating: 1, count: d)))
        } else {
            name = "gaussian_linear"
            var covariance = [Double](repeating: 0, count: d * d)
            for i in 0..<d { covariance[i * d + i] = 0.1 }
            prior = .constant(.gaussian(mean: Array(repeating: 0, count: d),
                                        covariance: covariance))
        }
    }

    public func simulate(_ theta: [Double], _ rng: inout RandomStream) -> [Double] {
        guard theta.count == Self.dimension else { return invalidObservation }
        let std = Self.noiseVariance.squareRoot()
        return theta.map { rng.normal(mean: $0, std: std) }
    }
}
