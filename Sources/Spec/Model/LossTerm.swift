/// One weighted term of the training loss. Every term is summed over the dimensions
/// of its variable and averaged over the batch.
public enum LossTerm: Equatable, Sendable {
    /// KL(posterior ‖ prior) between two networks over the same latent variable.
    case kl(posterior: String, prior: String, weight: Double)
    /// The Gaussian negative log-likelihood of the network's data variable, including
    /// the ½·log 2π constant.
    case nll(network: String, weight: Double)

    /// The weight of a term that states none.
    public static let defaultWeight = 1.0

    public var weight: Double {
        switch self {
        case .kl(_, _, let weight), .nll(_, let weight): weight
        }
    }

    /// The networks the term evaluates.
    public var networks: [String] {
        switch self {
        case .kl(let posterior, let prior, _): [posterior, prior]
        case .nll(let network, _): [network]
        }
    }
}
