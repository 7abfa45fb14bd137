import Foundation

/// A mixture of K diagonal Gaussians (a mixture density network's head): logits for the
/// weights (w = softmax(logits)), and a mean and a log-variance for each component, component
/// k in columns [k·d, (k + 1)·d) of its heads. A sample picks a component by one uniform draw
/// against the cumulative weights, then draws from that Gaussian; the density is a
/// log-sum-exp over the components. The choice of component is discrete, so a mixture is not
/// reparameterized (it cannot stand for a latent variable in training), and KL divergences
/// involving one have no closed form.
public struct GaussianMixture: DistributionFamily {
    public static let name = "mixture"
    /// Each component costs a few ops per sample and per loss: beyond 100 a flow is the better model.
    public static let options = [FamilyOption("components", 1...100)]
    public let components: Int
    public init(options: [String: Int]) { components = options["components"] ?? 1 }
    public init(components: Int) { self.components = components }
    public var settings: [String: Int] { ["components": components] }

    public var capabilities: FamilyCapabilities { [.learned, .samplesTarget] }

    public func heads(size: Int) -> [Head] {
        [Head("logits", width: components), Head("mean", width: components * size),
         Head("log_variance", width: components * size, .logVariance)]
    }

    /// One uniform per sample for the component, then d normals for the Gaussian.
    public func noise(size: Int) -> [NoiseSource] {
        [NoiseSource(.uniform, width: 1), NoiseSource(.normal, width: size)]
    }

    /// μ_k + σ_k ⊙ ε for the k with c_{k−1} ≤ u < c_k, c the cumulative weights: the selected
    /// mean and deviation are Σ_k 1[k] ⊙ μ_k and Σ_k 1[k] ⊙ σ_k, the indicators made by `less`.
    /// The last component takes every u at or above c_{K−1}, so rounding in the weights, which
    /// may sum to a little less than 1, never leaves a sample without one.
    public func sample(_ b: inout Builder, heads: [Int], noise: [Int], size: Int, context: SamplingContext) throws -> Int {
        let (logits, mean, logVariance) = (heads[0], heads[1], heads[2])
        let (u, epsilon) = (noise[0], noise[1])
        let deviation = try context.toBatch(&b, b.unary(.exp, b.mul(logVariance, constant: 0.5)))
        let means = try context.toBatch(&b, mean)
        guard components > 1 else { return try b.add(means, b.mul(deviation, epsilon)) }

        let rows = b.shape(logits).dims[0]
        let normalizer = try b.add(.broadcast(axis: 1, to: [rows, components]), [b.add(.logSumExp, [logits])])
        let weights = try context.toBatch(&b, b.unary(.exp, b.sub(logits, normalizer)))
        let batch = b.shape(epsilon).dims[0]
        let draw = try b.add(.sum(axis: 1), [u])
        func column(_ x: Int, _ start: Int, _ count: Int) throws -> Int { try b.add(.slice(start: start, count: count), [x]) }
        // below[k] = 1 where u < c_k, for k < K − 1.
        var below: [Int] = []
        var cumulative: Int?
        for k in 0..<(components - 1) {
            let weight = try b.add(.sum(axis: 1), [column(weights, k, 1)])
            let c = try cumulative.map { try b.add($0, weight) } ?? weight
            cumulative = c
            below.append(try b.binary(.less, draw, c))
        }
        var selectedMean: Int?, selectedDeviation: Int?
        for k in 0..<components {
            let indicator = k == 0 ? below[0]
                : k == components - 1 ? try b.sub(b.constant(1), below[k - 1])
                : try b.sub(below[k], below[k - 1])
            let spread = try b.add(.broadcast(axis: 1, to: [batch, size]), [indicator])
            let m = try b.mul(spread, column(means, k * size, size))
            let s = try b.mul(spread, column(deviation, k * size, size))
            selectedMean = try selectedMean.map { try b.add($0, m) } ?? m
            selectedDeviation = try selectedDeviation.map { try b.add($0, s) } ?? s
        }
        return try b.add(selectedMean!, b.mul(selectedDeviation!, epsilon))
    }

    /// −log Σ_k w_k N(x; μ_k, σ²_k) = lse(logits) − lse_k(logits_k − ½ E_k) + ½ d log 2π, with
    /// E_k = Σ_d [(x − μ_k)² / σ²_k + log σ²_k] (the weights' normalizer is the first lse).
    public func negativeLogDensity(_ b: inout Builder, of x: Int, heads: [Int], size: Int) throws -> Int {
        let (logits, mean, logVariance) = (heads[0], heads[1], heads[2])
        let rows = b.shape(x).dims[0]
        let repeated = components == 1 ? x : try b.add(.concat, Array(repeating: x, count: components))
        let misfit = try b.mul(b.unary(.square, b.sub(repeated, mean)), b.unary(.exp, b.unary(.neg, logVariance)))
        let terms = try b.add(misfit, logVariance)
        let energies = try (0..<components).map { k -> Int in
            let energy = try b.add(.sum(axis: 1), [b.add(.slice(start: k * size, count: size), [terms])])
            return try b.add(.broadcast(axis: 1, to: [rows, 1]), [energy])
        }
        let energy = components == 1 ? energies[0] : try b.add(.concat, energies)
        let joint = try b.add(.logSumExp, [b.sub(logits, b.mul(energy, constant: 0.5))])
        let normalizer = try b.add(.logSumExp, [logits])
        return try b.add(b.sub(normalizer, joint), constant: Float(0.5 * Double(size) * log(2 * Double.pi)))
    }

    /// No closed form: a mixture is never a KL side (the checker refuses it).
    public func kl(_ b: inout Builder, heads: [Int], against p: any DistributionFamily, heads pHeads: [Int],
                   size: Int) throws -> Int? { nil }
}
