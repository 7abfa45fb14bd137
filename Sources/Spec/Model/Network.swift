import IR

/// A conditional distribution over one variable: the concatenation of `inputs`, in
/// order, goes through a multilayer perceptron with `hidden` widths and `activation`,
/// whose heads parameterize `distribution` over `output`.
public struct Network: Equatable, Sendable {
    public var name: String
    public var inputs: [String]
    public var hidden: [Int]
    /// Already resolved: the network's own activation, else the model's, else the default.
    public var activation: Activation
    public var output: String
    public var distribution: OutputDistribution

    public init(name: String, inputs: [String], hidden: [Int] = [], activation: Activation = .default,
                output: String, distribution: OutputDistribution) {
        self.name = name
        self.inputs = inputs
        self.hidden = hidden
        self.activation = activation
        self.output = output
        self.distribution = distribution
    }
}

public enum OutputDistribution: String, CaseIterable, Sendable {
    /// A diagonal Gaussian: a mean head and a log-variance head, the latter clamped to
    /// the model's `logVarianceRange`.
    case gaussian
    /// The fixed N(0, I): no inputs, no layers, no parameters.
    case standardNormal = "standard_normal"

    /// What the checker may ask of a family; it asks these, never which family it is, so a
    /// new family states its capabilities here and the checks follow.
    public var capabilities: FamilyCapabilities {
        switch self {
        case .gaussian: return [.learned, .samplesTarget, .klPosterior]
        case .standardNormal: return []
        }
    }
}

extension OutputDistribution {
    /// The families with `capability`, as a message names them: "gaussian" or "a, b or c".
    static func families(with capability: FamilyCapabilities) -> String {
        let names = allCases.filter { $0.capabilities.contains(capability) }.map(\.rawValue)
        return names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
    }
}

public struct FamilyCapabilities: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Computed from the network's inputs by its layers, and trained: it takes inputs, and
    /// a loss term must fit it. Without it, the family is fixed: no inputs, no layers.
    public static let learned = FamilyCapabilities(rawValue: 1 << 0)
    /// May end sample.path: it draws the target from what the network learned.
    public static let samplesTarget = FamilyCapabilities(rawValue: 1 << 1)
    /// May be the posterior q of a KL term: KL(q ‖ p) is lowered against any family.
    public static let klPosterior = FamilyCapabilities(rawValue: 1 << 2)
}

public enum Activation: Equatable, Sendable {
    /// x for x ≥ 0, slope·x otherwise.
    case leakyReLU(slope: Double)
    case relu
    /// An activation of the op table without attributes (tanh, sigmoid, ...),
    /// named in the spec as the table names it.
    case op(UnaryOp)

    /// The activation of networks when the model names none.
    public static let `default` = Activation.leakyReLU(slope: 0.1)
}
