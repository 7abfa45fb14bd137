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
