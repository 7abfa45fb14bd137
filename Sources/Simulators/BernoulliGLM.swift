import Foundation
import Random

/// sbibm `bernoulli_glm` and `bernoulli_glm_raw` (tasks.md §7–8): a spike train of 100
/// bins, y_t ~ Bernoulli(σ(X_t·θ)), with θ = (offset β0, 9-tap filter h) and the fixed
/// white-noise stimulus in X. The summary task observes Xᵀy (spike count and
/// spike-triggered sums); the raw task observes y itself.
public struct BernoulliGLM: Simulator {
    public let name: String
    public let parameterNames = numberedParameters(BernoulliGLMConstants.parameterCount)
    public let observationDimension: Int
    public let prior: Prior
    /// Whether x is the raw spike train rather than Xᵀy.
    public let raw: Bool

    public init(raw: Bool = false) {
        self.raw = raw
        name = raw ? "bernoulli_glm_raw" : "bernoulli_glm"
        let p = BernoulliGLMConstants.parameterCount
        observationDimension = raw ? BernoulliGLMConstants.bins : p
        prior = .constant(.gaussian(mean: Array(repeating: 0, count: p),
                                    covariance: BernoulliGLMConstants.shared.priorCovariance))
    }

    public func simulate(_ theta: [Double], _ rng: inout RandomStream) -> [Double] {
        guard theta.count == BernoulliGLMConstants.parameterCount else { return invalidObservation }
        let constants = BernoulliGLMConstants.shared
        let spikes = constants.spikeProbabilities(theta).map { rng.uniform() < $0 ? 1.0 : 0.0 }
        return raw ? spikes : constants.summary(spikes)
    }
}

/// The GLM's fixed inputs, computed as sbibm computes them.
public struct BernoulliGLMConstants: Sendable {
    public static let bins = 100
    public static let filterLength = 9
    public static let parameterCount = 1 + filterLength

    /// I_t, numpy `RandomState(42).randn(100)` rounded to float32 as sbibm stores it.
    public let stimulus: [Double]
    /// X, 100 × 10 row-major: row t is (1, I_t, I_{t−1}, …, I_{t−8}), zero before t = 0.
    public let designMatrix: [Double]
    /// B⁻¹, 10 × 10 row-major: 0.5 for the offset, FᵀF for the filter with
    /// F = D² + diag(√(i/9)), D the lower bidiagonal difference matrix.
    public let priorPrecision: [Double]
    /// B, the inverse of `priorPrecision`.
    public let priorCovariance: [Double]

    public static let shared = BernoulliGLMConstants()

    private init() {
        let bins = Self.bins
        let p = Self.parameterCount
        var numpy = LegacyRandomState(seed: 42)
        stimulus = numpy.standardNormal(count: bins).map { Double(Float($0)) }

        var x = [Double](repeating: 0, count: bins * p)
        for t in 0..<bins {
            x[t * p] = 1
            for lag in 0..<Self.filterLength where t >= lag {
                x[t * p + 1 + lag] = stimulus[t - lag]
            }
        }
        designMatrix = x

        let m = Self.filterLength
        var d = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            d[i * m + i] = 1
            if i > 0 { d[i * m + i - 1] = -1 }
        }
        var f = product(d, d, m)
        for i in 0..<m { f[i * m + i] += (Double(i) / Double(m)).squareRoot() }
        var fTransposed = f
        for i in 0..<m { for j in 0..<m { fTransposed[i * m + j] = f[j * m + i] } }
        let filterPrecision = product(fTransposed, f, m)
        var precision = [Double](repeating: 0, count: p * p)
        precision[0] = 0.5
        for i in 0..<m {
            for j in 0..<m { precision[(i + 1) * p + j + 1] = filterPrecision[i * m + j] }
        }
        priorPrecision = precision
        // Positive definite: F is triangular with diagonal entries of at least 1.
        let covariance = inverseSPD(precision, dimension: p) ?? []
        priorCovariance = symmetrized(covariance, p)
    }

    /// σ(X·θ) for each bin.
    func spikeProbabilities(_ theta: [Double]) -> [Double] {
        let p = Self.parameterCount
        return (0..<Self.bins).map { t in
            var psi = 0.0
            for j in 0..<p { psi += designMatrix[t * p + j] * theta[j] }
            return 1 / (1 + exp(-psi))
        }
    }

    /// Xᵀy: the spike count, then the spike-triggered stimulus sums at lags 0…8.
    public func summary(_ spikes: [Double]) -> [Double] {
        let p = Self.parameterCount
        var result = [Double](repeating: 0, count: p)
        for t in 0..<min(Self.bins, spikes.count) where spikes[t] != 0 {
            for j in 0..<p { result[j] += designMatrix[t * p + j] * spikes[t] }
        }
        return result
    }
}
