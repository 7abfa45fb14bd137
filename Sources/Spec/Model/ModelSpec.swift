/// A validated model specification: variables, the networks over them, the loss that
/// trains them and the path that samples from them. Only `parse` and `load` create
/// one, so every instance has passed every check in docs/spec.md.
public struct ModelSpec: Equatable, Sendable {
    public var name: String
    public var task: String?
    public var description: String?
    /// In document order.
    public var variables: [Variable]
    /// In document order.
    public var networks: [Network]
    /// Log-variance heads are clamped to this so that exp stays finite in float32.
    public var logVarianceRange: ClosedRange<Double>
    public var loss: [LossTerm]
    public var sampling: Sampling
    public var training: Training
    /// The networks a training step evaluates (those in loss terms and the training
    /// sources they read), each after the ones it reads; ties in document order.
    public var trainingOrder: [String]
    /// For each latent variable, the network whose reparameterized sample stands for it
    /// in training.
    public var trainingSources: [String: String]

    /// The log-variance range of a model that states none.
    public static let defaultLogVarianceRange = -20.0...20.0

    public func variable(_ name: String) -> Variable? {
        variables.first { $0.name == name }
    }

    public func network(_ name: String) -> Network? {
        networks.first { $0.name == name }
    }

    /// Whether `variable` is latent: declared, and neither the observation
    /// (`sampling.given`) nor the parameters (`sampling.target`) that the data supply.
    public func isLatent(_ variable: String) -> Bool {
        self.variable(variable) != nil && variable != sampling.given && variable != sampling.target
    }

    /// The latent variables, in document order.
    public var latentVariables: [Variable] {
        variables.filter { isLatent($0.name) }
    }
}
