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
    /// The box the output lies in, resolved to numbers (the task's prior, or the spec's own),
    /// in the variable's unscaled units; nil where it is unbounded.
    public var bounds: Box?

    public init(name: String, inputs: [String], hidden: [Int] = [], activation: Activation = .default,
                output: String, distribution: OutputDistribution, bounds: Box? = nil) {
        self.name = name
        self.inputs = inputs
        self.hidden = hidden
        self.activation = activation
        self.output = output
        self.distribution = distribution
        self.bounds = bounds
    }
}

/// A network's output family with its settings (IR/Families): the spec checker asks its
/// capabilities, lowering builds its heads, samples and losses through it.
public struct OutputDistribution: Equatable, Sendable, CustomStringConvertible {
    public let family: any DistributionFamily

    public init(_ family: any DistributionFamily) { self.family = family }

    public static let gaussian = OutputDistribution(DiagonalGaussian())
    public static let standardNormal = OutputDistribution(StandardNormal())

    /// As the spec names the family: "gaussian".
    public var name: String { family.name }
    public var capabilities: FamilyCapabilities { family.capabilities }

    /// The name, and the settings where there are any: "mixture (components 5)".
    public var description: String {
        let settings = family.settings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        return settings.isEmpty ? name : "\(name) (\(settings.joined(separator: ", ")))"
    }

    public static func == (a: OutputDistribution, b: OutputDistribution) -> Bool {
        AnyHashable(a.family) == AnyHashable(b.family)
    }
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
