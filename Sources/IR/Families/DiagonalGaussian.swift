import Foundation

/// N(μ, diag σ²): a mean head and a log-variance head, the latter clamped to the model's
/// log-variance range. Sampled by reparameterization, μ + σ ⊙ ε with ε ~ N(0, I).
public struct DiagonalGaussian: DistributionFamily {
    public static let name = "gaussian"
    public static let options: [FamilyOption] = []
    public init(options: [String: Int] = [:]) {}
    public var settings: [String: Int] { [:] }

    public var capabilities: FamilyCapabilities {
        [.learned, .samplesTarget, .klPosterior, .klPrior, .reparameterized]
    }

    public func heads(size: Int) -> [Head] {
        [Head("mean", width: size), Head("log_variance", width: size, .logVariance)]
    }

    public func noise(size: Int) -> [NoiseSource] { [NoiseSource(.normal, width: size)] }

    /// μ + exp(½ log σ²) ⊙ ε; the standard deviation is computed before it meets the batch.
    public func sample(_ b: inout Builder, heads: [Int], noise: [Int], size: Int, context: SamplingContext) throws -> Int {
        let deviation = try context.toBatch(&b, b.unary(.exp, b.mul(heads[1], constant: 0.5)))
        let mean = try context.toBatch(&b, heads[0])
        return try b.add(mean, b.mul(deviation, noise[0]))
    }

    /// ½ Σ_d [log σ² + (x − μ)² / σ² + log 2π].
    public func negativeLogDensity(_ b: inout Builder, of x: Int, heads: [Int], size: Int) throws -> Int {
        let (mean, logVariance) = (heads[0], heads[1])
        let misfit = try b.mul(b.unary(.square, b.sub(x, mean)), b.unary(.exp, b.unary(.neg, logVariance)))
        let terms = try b.add(b.add(misfit, logVariance), constant: Float(log(2 * Double.pi)))
        return try b.mul(b.add(.sum(axis: 1), [terms]), constant: 0.5)
    }

    /// ½ Σ_d [log σ²_p − log σ²_q + (σ²_q + (μ_q − μ_p)²) / σ²_p − 1], with μ_p = 0 and
    /// σ²_p = 1 against the standard normal.
    public func kl(_ b: inout Builder, heads: [Int], against p: any DistributionFamily, heads pHeads: [Int],
                   size: Int) throws -> Int? {
        let (mq, lq) = (heads[0], heads[1])
        let terms: Int
        if p is DiagonalGaussian {
            let (mp, lp) = (pHeads[0], pHeads[1])
            let spread = try b.add(b.unary(.exp, lq), b.unary(.square, b.sub(mq, mp)))
            terms = try b.add(b.sub(lp, lq), b.mul(spread, b.unary(.exp, b.unary(.neg, lp))))
        } else if p is StandardNormal {
            terms = try b.sub(b.add(b.unary(.exp, lq), b.unary(.square, mq)), lq)
        } else {
            return nil
        }
        return try b.mul(b.add(.sum(axis: 1), [b.add(terms, constant: -1)]), constant: 0.5)
    }
}
