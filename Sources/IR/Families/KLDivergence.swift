/// How a KL(q ‖ p) term of the loss is computed: in closed form where both families have one,
/// else by the single-sample Monte-Carlo estimate log q(z) − log p(z) at the training sample
/// z of q (the sample the networks downstream of the latent variable already read). Its
/// expectation over the noise is the KL divergence, and since z is a differentiable function
/// of q's heads and the noise, so is the estimate: reparameterized gradients, as for the rest
/// of the loss. It needs nothing of either family but `negativeLogDensity`.
public enum KLEstimate: String, Sendable {
    case closedForm = "closed form"
    case monteCarlo = "Monte Carlo (1 sample)"

    /// The closed form where q has `klPosterior` and p has `klPrior`; else Monte Carlo where q
    /// is learned and reparameterized; nil where neither exists.
    public init?(posterior q: FamilyCapabilities, prior p: FamilyCapabilities) {
        if q.contains(.klPosterior) && p.contains(.klPrior) {
            self = .closedForm
        } else if q.isSuperset(of: [.learned, .reparameterized]) {
            self = .monteCarlo
        } else {
            return nil
        }
    }

    /// Whether a family can be the posterior q of some KL term.
    public static func canBePosterior(_ q: FamilyCapabilities) -> Bool {
        q.contains(.klPosterior) || q.isSuperset(of: [.learned, .reparameterized])
    }

    /// KL(q ‖ p) for each row, [batch]. `sample` is q's reparameterized sample, [batch, size],
    /// which only the Monte-Carlo estimate reads.
    public func lower(_ b: inout Builder, posterior q: any DistributionFamily, heads qHeads: [Int],
                      prior p: any DistributionFamily, heads pHeads: [Int], sample z: Int, size: Int) throws -> Int {
        switch self {
        case .closedForm:
            guard let kl = try q.kl(&b, heads: qHeads, against: p, heads: pHeads, size: size) else {
                throw ShapeError("KL(\(q.name) ‖ \(p.name)): the families claim a closed form but \(q.name) gives none")
            }
            return kl
        case .monteCarlo:
            // log q(z) − log p(z) = −log p(z) − (−log q(z)).
            let nllP = try p.negativeLogDensity(&b, of: z, heads: pHeads, size: size)
            let nllQ = try q.negativeLogDensity(&b, of: z, heads: qHeads, size: size)
            return try b.sub(nllP, nllQ)
        }
    }
}
