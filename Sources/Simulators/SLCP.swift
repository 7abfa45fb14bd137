import Foundation
import Random

/// sbibm `slcp` (tasks.md §5): four iid 2-D Gaussian points whose mean, standard
/// deviations (θ3², θ4²) and correlation (tanh θ5) are set by θ, interleaved as
/// (v1₁, v1₂, v2₁, v2₂, …). Simple likelihood, four-mode posterior.
public struct SLCP: Simulator {
    public static let pointCount = 4

    public let name = "slcp"
    public let parameterNames = numberedParameters(5)
    public let observationDimension = 2 * SLCP.pointCount
    public let prior = Prior.constant(.uniform(lower: Array(repeating: -3, count: 5),
                                               upper: Array(repeating: 3, count: 5)))

    public init() {}

    public func simulate(_ theta: [Double], _ rng: inout RandomStream) -> [Double] {
        guard theta.count == 5 else { return invalidObservation }
        return Self.points(theta, &rng)
    }

    /// The 8 interleaved numbers; shared with `SLCPDistractors`.
    static func points(_ theta: [Double], _ rng: inout RandomStream) -> [Double] {
        let g = Gaussian2D(theta)
        var x = [Double](repeating: 0, count: 2 * pointCount)
        for point in 0..<pointCount {
            let z1 = rng.normal()
            let z2 = rng.normal()
            x[2 * point] = g.mean.0 + g.l11 * z1
            x[2 * point + 1] = g.mean.1 + g.l21 * z1 + g.l22 * z2
        }
        return x
    }

    /// log p(x | θ): the sum of the four 2-D Gaussian log-densities.
    public func logLikelihood(_ x: [Double], theta: [Double]) -> Double {
        guard x.count == observationDimension, theta.count == 5 else { return -.infinity }
        let g = Gaussian2D(theta)
        var sum = 0.0
        for point in 0..<Self.pointCount {
            // Whiten with the Cholesky factor: w = L⁻¹(v − m).
            let w1 = (x[2 * point] - g.mean.0) / g.l11
            let w2 = (x[2 * point + 1] - g.mean.1 - g.l21 * w1) / g.l22
            sum += -0.5 * (w1 * w1 + w2 * w2) - log(g.l11 * g.l22) - log(2 * Double.pi)
        }
        return sum
    }

    /// The mean and the Cholesky factor [[l11, 0], [l21, l22]] of
    /// Σ = [[s1² + 1e−6, ρ·s1·s2], [ρ·s1·s2, s2² + 1e−6]], s1 = θ3², s2 = θ4², ρ = tanh θ5.
    private struct Gaussian2D {
        var mean: (Double, Double)
        var l11: Double
        var l21: Double
        var l22: Double

        init(_ theta: [Double]) {
            let s1 = theta[2] * theta[2]
            let s2 = theta[3] * theta[3]
            let rho = tanh(theta[4])
            mean = (theta[0], theta[1])
            l11 = (s1 * s1 + 1e-6).squareRoot()
            l21 = rho * s1 * s2 / l11
            // Positive: the 1e−6 on the diagonal keeps Σ definite even as |ρ| → 1.
            l22 = max(s2 * s2 + 1e-6 - l21 * l21, 0).squareRoot()
        }
    }
}
