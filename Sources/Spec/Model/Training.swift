import IR

/// The optimizer and the schedule. The initializer's defaults are the language's.
public struct Training: Equatable, Sendable {
    public var optimizer: String
    public var learningRate: Double
    public var weightDecay: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var batchSize: Int
    public var maxEpochs: Int
    /// Epochs without improvement of the validation loss before training stops.
    public var patience: Int
    /// The global gradient norm is clipped to this.
    public var clipNorm: Double
    /// The share of the training set held out for validation.
    public var validationFraction: Double
    public var initialization: String
    /// The scaling of every data variable not named in `variableScaling`.
    public var scaling: Scaling
    /// Scalings chosen for single data variables (`"scaling": {"y": "log_standard"}`).
    public var variableScaling: [String: Scaling]

    /// How `variable`, θ or y, is scaled.
    public func scaling(of variable: String) -> Scaling { variableScaling[variable] ?? scaling }

    public static let optimizers = ["adamw"]
    public static let initializations = ["kaiming_normal"]

    public init(optimizer: String = "adamw", learningRate: Double = 5e-4, weightDecay: Double = 0.01,
                beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                batchSize: Int = 32, maxEpochs: Int = 1000, patience: Int = 20, clipNorm: Double = 3.0,
                validationFraction: Double = 0.1, initialization: String = "kaiming_normal",
                scaling: Scaling = .standard, variableScaling: [String: Scaling] = [:]) {
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.batchSize = batchSize
        self.maxEpochs = maxEpochs
        self.patience = patience
        self.clipNorm = clipNorm
        self.validationFraction = validationFraction
        self.initialization = initialization
        self.scaling = scaling
        self.variableScaling = variableScaling
    }
}
