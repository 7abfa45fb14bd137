import Foundation
import Random

/// sbibm `two_moons` (shared/docs/tasks.md §1): a crescent of radius 0.1 around a point
/// that folds θ by |θ1 + θ2|, so the posterior has two moon-shaped modes.
public struct TwoMoons: Simulator {
    public let name = "two_moons"
    public let parameterNames = numberedParameters(2)
    public let observationDimension = 2
    public let prior = Prior.constant(.uniform(lower: [-1, -1], upper: [1, 1]))

    public init() {}

    public func simulate(_ theta: [Double], _ rng: inout RandomStream) -> [Double] {
        guard theta.count == 2 else { return invalidObservation }
        let angle = rng.uniform(-Double.pi / 2, Double.pi / 2)
        let radius = rng.normal(mean: 0.1, std: 0.01)
        let (z0, z1) = rotated(theta)
        return [radius * cos(angle) + 0.25 - abs(z0), radius * sin(angle) + z1]
    }

    /// log p(x | θ) as sbibm defines it: the log-density of the radius only (no Jacobian,
    /// no angle term), −∞ on the wrong side of the crescent.
    public func logLikelihood(_ x: [Double], theta: [Double]) -> Double {
        guard x.count == 2, theta.count == 2 else { return -.infinity }
        let (z0, z1) = rotated(theta)
        let u = x[0] + abs(z0) - 0.25
        let v = x[1] - z1
        guard u >= 0 else { return -.infinity }
        let r = ((u * u + v * v).squareRoot() - 0.1) / 0.01
        return -0.5 * r * r - log(0.01 * (2 * Double.pi).squareRoot())
    }

    /// θ rotated by −π/4: ((θ1 + θ2)/√2, (θ2 − θ1)/√2).
    private func rotated(_ theta: [Double]) -> (Double, Double) {
        let s = 0.5.squareRoot()
        return ((theta[0] + theta[1]) * s, (theta[1] - theta[0]) * s)
    }
}
