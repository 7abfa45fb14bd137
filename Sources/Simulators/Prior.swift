import Foundation
import Random

/// A prior over θ: independent uniforms, a multivariate Gaussian, or independent
/// log-normals — the three families of the sbibm tasks and the Hodgkin–Huxley task — or,
/// for a user's own simulator, independent marginals of any of these kinds (Prior+JSON.swift).
public struct Prior: Sendable {
    public enum Family: Sendable, Equatable {
        /// θᵢ ~ U(lowerᵢ, upperᵢ) independently.
        case uniform(lower: [Double], upper: [Double])
        /// θ ~ N(mean, covariance); `covariance` is dimension × dimension, row-major.
        case gaussian(mean: [Double], covariance: [Double])
        /// log θᵢ ~ N(μᵢ, σᵢ²) independently (σ is a standard deviation).
        case logNormal(mu: [Double], sigma: [Double])
        /// θᵢ ~ marginalᵢ independently.
        case independent([Marginal])
    }

    /// One dimension of an independent prior.
    public enum Marginal: Sendable, Equatable {
        case uniform(lower: Double, upper: Double)
        /// N(mean, sd²).
        case normal(mean: Double, sd: Double)
        /// log θ ~ N(mu, sigma²).
        case logNormal(mu: Double, sigma: Double)
    }

    public let family: Family
    public let dimension: Int
    /// Lower Cholesky factor of a Gaussian's covariance, row-major.
    private let choleskyFactor: [Double]
    /// log p at the mean of a Gaussian: −½·(d·log 2π + log det Σ).
    private let gaussianLogNormalizer: Double

    /// Independent uniforms; nil unless the bounds have equal lengths and are finite with
    /// lower < upper.
    public static func uniform(lower: [Double], upper: [Double]) -> Prior? {
        guard lower.count == upper.count,
              zip(lower, upper).allSatisfy({ $0.isFinite && $1.isFinite && $0 < $1 })
        else { return nil }
        return Prior(family: .uniform(lower: lower, upper: upper), dimension: lower.count)
    }

    /// Independent log-normals; nil unless μ and σ have equal lengths, μ is finite and σ
    /// positive and finite.
    public static func logNormal(mu: [Double], sigma: [Double]) -> Prior? {
        guard mu.count == sigma.count,
              zip(mu, sigma).allSatisfy({ $0.isFinite && $1.isFinite && $1 > 0 })
        else { return nil }
        return Prior(family: .logNormal(mu: mu, sigma: sigma), dimension: mu.count)
    }

    /// A Gaussian prior; nil when the mean is not finite or the covariance (of which the
    /// lower triangle is read) is not positive definite.
    public static func gaussian(mean: [Double], covariance: [Double]) -> Prior? {
        let d = mean.count
        guard mean.allSatisfy(\.isFinite), covariance.count == d * d,
              let factor = cholesky(covariance, dimension: d)
        else { return nil }
        let logDeterminant = (0..<d).reduce(0.0) { $0 + 2 * log(factor[$1 * d + $1]) }
        let logNormalizer = -0.5 * (Double(d) * log(2 * Double.pi) + logDeterminant)
        return Prior(family: .gaussian(mean: mean, covariance: covariance), dimension: d,
                     choleskyFactor: factor, gaussianLogNormalizer: logNormalizer)
    }

    /// Independent marginals; nil unless every bound is finite with lower < upper and every
    /// standard deviation positive and finite.
    public static func independent(_ marginals: [Marginal]) -> Prior? {
        guard !marginals.isEmpty, marginals.allSatisfy({ marginal in
            switch marginal {
            case .uniform(let lower, let upper): return lower.isFinite && upper.isFinite && lower < upper
            case .normal(let a, let b), .logNormal(let a, let b): return a.isFinite && b.isFinite && b > 0
            }
        }) else { return nil }
        return Prior(family: .independent(marginals), dimension: marginals.count)
    }

    /// The box of a prior that is uniform in every component; nil for any other.
    public var box: (lower: [Double], upper: [Double])? {
        switch family {
        case .uniform(let lower, let upper):
            return (lower, upper)
        case .independent(let marginals):
            let intervals = marginals.compactMap { marginal -> (Double, Double)? in
                if case .uniform(let lower, let upper) = marginal { return (lower, upper) }
                return nil
            }
            return intervals.count == marginals.count ? (intervals.map(\.0), intervals.map(\.1)) : nil
        case .gaussian, .logNormal:
            return nil
        }
    }

    /// A task's prior, built from constants that the tests check; an invalid one is a
    /// defect in sbic, not in anyone's input.
    static func constant(_ prior: Prior?) -> Prior {
        guard let prior else { preconditionFailure("a task's prior constants are invalid") }
        return prior
    }

    private init(family: Family, dimension: Int, choleskyFactor: [Double] = [],
                 gaussianLogNormalizer: Double = 0) {
        self.family = family
        self.dimension = dimension
        self.choleskyFactor = choleskyFactor
        self.gaussianLogNormalizer = gaussianLogNormalizer
    }

    public func sample(_ rng: inout RandomStream) -> [Double] {
        switch family {
        case .uniform(let lower, let upper):
            return (0..<dimension).map { rng.uniform(lower[$0], upper[$0]) }
        case .gaussian(let mean, _):
            let z = (0..<dimension).map { _ in rng.normal() }
            return zip(mean, lowerTriangularProduct(choleskyFactor, z)).map { $0 + $1 }
        case .logNormal(let mu, let sigma):
            return (0..<dimension).map { exp(rng.normal(mean: mu[$0], std: sigma[$0])) }
        case .independent(let marginals):
            return marginals.map { marginal in
                switch marginal {
                case .uniform(let lower, let upper): return rng.uniform(lower, upper)
                case .normal(let mean, let sd): return rng.normal(mean: mean, std: sd)
                case .logNormal(let mu, let sigma): return exp(rng.normal(mean: mu, std: sigma))
                }
            }
        }
    }

    /// log p(θ); −∞ outside the support or for a θ of the wrong length.
    public func logDensity(_ theta: [Double]) -> Double {
        guard theta.count == dimension else { return -.infinity }
        switch family {
        case .uniform(let lower, let upper):
            var sum = 0.0
            for i in 0..<dimension {
                guard theta[i] >= lower[i], theta[i] <= upper[i] else { return -.infinity }
                sum -= log(upper[i] - lower[i])
            }
            return sum
        case .gaussian(let mean, _):
            let whitened = lowerTriangularSolve(choleskyFactor, zip(theta, mean).map { $0 - $1 })
            return gaussianLogNormalizer - 0.5 * whitened.reduce(0) { $0 + $1 * $1 }
        case .logNormal(let mu, let sigma):
            var sum = 0.0
            for i in 0..<dimension {
                guard theta[i] > 0 else { return -.infinity }
                let z = (log(theta[i]) - mu[i]) / sigma[i]
                sum += -0.5 * z * z - log(sigma[i] * theta[i]) - 0.5 * log(2 * Double.pi)
            }
            return sum
        case .independent(let marginals):
            var sum = 0.0
            for (x, marginal) in zip(theta, marginals) {
                switch marginal {
                case .uniform(let lower, let upper):
                    guard x >= lower, x <= upper else { return -.infinity }
                    sum -= log(upper - lower)
                case .normal(let mean, let sd):
                    let z = (x - mean) / sd
                    sum += -0.5 * z * z - log(sd) - 0.5 * log(2 * Double.pi)
                case .logNormal(let mu, let sigma):
                    guard x > 0 else { return -.infinity }
                    let z = (log(x) - mu) / sigma
                    sum += -0.5 * z * z - log(sigma * x) - 0.5 * log(2 * Double.pi)
                }
            }
            return sum
        }
    }

    /// Whether θ lies in the support: the closed box of the uniforms, θᵢ > 0 for log-normals,
    /// anywhere finite for a Gaussian. NaN lies nowhere.
    public func contains(_ theta: ArraySlice<Double>) -> Bool {
        guard theta.count == dimension else { return false }
        switch family {
        case .uniform(let lower, let upper):
            return zip(theta, zip(lower, upper)).allSatisfy { $0 >= $1.0 && $0 <= $1.1 }
        case .gaussian:
            return theta.allSatisfy(\.isFinite)
        case .logNormal:
            return theta.allSatisfy { $0 > 0 && $0.isFinite }
        case .independent(let marginals):
            return zip(theta, marginals).allSatisfy { x, marginal in
                switch marginal {
                case .uniform(let lower, let upper): return x >= lower && x <= upper
                case .normal: return x.isFinite
                case .logNormal: return x > 0 && x.isFinite
                }
            }
        }
    }
}
