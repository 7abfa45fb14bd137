import Random

/// sbibm `gaussian_mixture` (tasks.md §4): x ~ N(θ, I₂) or N(θ, 0.01·I₂) with equal
/// probability, one component per simulation for both coordinates.
public struct GaussianMixture: Simulator {
    public let name = "gaussian_mixture"
    public let parameterNames = numberedParameters(2)
    public let observationDimension = 2
    public let prior = Prior.constant(.uniform(lower: [-10, -10], upper: [10, 10]))

    public init() {}

    public func simulate(_ theta: [Double], _ rng: inout RandomStream) -> [Double] {
        guard theta.count == 2 else { return invalidObservation }
        let std = rng.uniform() < 0.5 ? 1.0 : 0.1
        return theta.map { rng.normal(mean: $0, std: std) }
    }
}
