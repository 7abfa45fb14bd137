/// What the runtime needs to know of a model's graph without its spec, as lowering records it
/// in the graph's metadata (one `meta` line per field, `Metadata`): the data layout, the task,
/// the sample program's batch and the training protocol.
public struct GraphMetadata: Codable, Equatable, Sendable {
    public var layout: DataLayout
    /// The built-in simulator the spec names, if any.
    public var task: String?
    public var sampleBatchSize: Int
    public var training: TrainingSettings

    public init(layout: DataLayout, task: String?, sampleBatchSize: Int, training: TrainingSettings) {
        self.layout = layout; self.task = task; self.sampleBatchSize = sampleBatchSize; self.training = training
    }

    public enum CodingKeys: String, CodingKey {
        case task, sampleBatchSize = "sample.batch_size", training
    }

    /// The layout's keys stand at the top, beside the task.
    public init(from decoder: Decoder) throws {
        layout = try DataLayout(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        task = try c.decodeIfPresent(String.self, forKey: .task)
        sampleBatchSize = try c.decode(.sampleBatchSize, as: "a positive integer") { $0 > 0 }
        training = try c.decode(TrainingSettings.self, forKey: .training)
    }

    public func encode(to encoder: Encoder) throws {
        try layout.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(task, forKey: .task)
        try c.encode(sampleBatchSize, forKey: .sampleBatchSize)
        try c.encode(training, forKey: .training)
    }
}

/// The two data variables the programs read, by name and width: y (`given`), which sampling
/// conditions on, and θ (`target`), which it draws.
public struct DataLayout: Codable, Equatable, Sendable {
    public var given: String, givenSize: Int
    public var target: String, targetSize: Int

    public init(given: String, givenSize: Int, target: String, targetSize: Int) {
        self.given = given; self.givenSize = givenSize; self.target = target; self.targetSize = targetSize
    }

    /// Read from a graph's metadata, where a hand-edited `.sbig` may hold anything.
    public init(_ graph: Graph) throws { self = try Metadata.decode(Self.self, from: graph.metadata) }

    public enum CodingKeys: String, CodingKey {
        case given, givenSize = "given.size", target, targetSize = "target.size"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        given = try c.decode(String.self, forKey: .given)
        target = try c.decode(String.self, forKey: .target)
        guard given != target else { throw MetadataError("meta given and target both name \(given)") }
        givenSize = try c.decode(.givenSize, as: "a positive integer") { $0 > 0 }
        targetSize = try c.decode(.targetSize, as: "a positive integer") { $0 > 0 }
    }
}

/// The training protocol a graph was compiled with (`training.*`). The optimizer's constants,
/// the batch size, the clipping norm and the initializer are compiled into `train_step` and
/// recorded for the reader; the runtime reads the learning rate (an input of `train_step`),
/// the epochs, the patience, the validation split and the scalings, each range-checked once:
/// an epoch count of 1e300 or a validation fraction of 2 is refused, not trapped on.
public struct TrainingSettings: Codable, Equatable, Sendable {
    public var optimizer: String
    public var learningRate: Double
    public var weightDecay: Double
    public var beta1: Double, beta2: Double, epsilon: Double
    public var batchSize: Int
    public var maxEpochs: Int
    public var patience: Int
    public var clipNorm: Double
    public var validationFraction: Double
    public var initialization: String
    public var scaling: DataScaling

    public init(optimizer: String, learningRate: Double, weightDecay: Double, beta1: Double, beta2: Double, epsilon: Double,
                batchSize: Int, maxEpochs: Int, patience: Int, clipNorm: Double, validationFraction: Double,
                initialization: String, scaling: DataScaling) {
        self.optimizer = optimizer; self.learningRate = learningRate; self.weightDecay = weightDecay
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.batchSize = batchSize
        self.maxEpochs = maxEpochs; self.patience = patience; self.clipNorm = clipNorm
        self.validationFraction = validationFraction; self.initialization = initialization; self.scaling = scaling
    }

    /// The keys under which a graph records the settings: `training.KEY`.
    public static let prefix = "training"

    /// Read from a graph's metadata.
    public init(_ graph: Graph) throws { self = try Metadata.decode(Self.self, from: graph.metadata, under: Self.prefix) }

    public enum CodingKeys: String, CodingKey {
        case optimizer, learningRate = "learning_rate", weightDecay = "weight_decay", beta1, beta2, epsilon
        case batchSize = "batch_size", maxEpochs = "max_epochs", patience, clipNorm = "clip_norm"
        case validationFraction = "validation_fraction", initialization = "init", scaling
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let count = "an integer from 1 to \(Int32.max)"
        func isCount(_ n: Int) -> Bool { n > 0 && n <= Int(Int32.max) }
        learningRate = try c.decode(.learningRate, as: "a number > 0") { $0.isFinite && $0 > 0 }
        maxEpochs = try c.decode(.maxEpochs, as: count, where: isCount)
        patience = try c.decode(.patience, as: count, where: isCount)
        validationFraction = try c.decode(.validationFraction, as: "a number in (0, 1)") { $0 > 0 && $0 < 1 }
        scaling = try c.decode(DataScaling.self, forKey: .scaling)
        // Compiled into train_step already: read as recorded.
        optimizer = try c.decode(String.self, forKey: .optimizer)
        weightDecay = try c.decode(Double.self, forKey: .weightDecay)
        beta1 = try c.decode(Double.self, forKey: .beta1)
        beta2 = try c.decode(Double.self, forKey: .beta2)
        epsilon = try c.decode(Double.self, forKey: .epsilon)
        batchSize = try c.decode(.batchSize, as: count, where: isCount)
        clipNorm = try c.decode(Double.self, forKey: .clipNorm)
        initialization = try c.decode(String.self, forKey: .initialization)
    }
}

/// The scalings of the two data variables (`training.scaling.given`, `training.scaling.target`).
public struct DataScaling: Codable, Equatable, Sendable {
    public var given: Scaling
    public var target: Scaling
    public init(given: Scaling, target: Scaling) { self.given = given; self.target = target }

    private enum CodingKeys: String, CodingKey { case given, target }

    /// Graphs compiled before each variable had its own scaling record one for both
    /// (`training.scaling standard`); models saved with them still train.
    public init(from decoder: Decoder) throws {
        if let both = try? decoder.singleValueContainer().decode(Scaling.self) {
            self.init(given: both, target: both)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(given: try c.decode(Scaling.self, forKey: .given), target: try c.decode(Scaling.self, forKey: .target))
    }
}

extension Graph {
    /// The built-in simulator the graph was compiled for, if any (`meta task`).
    public var task: String? { metadata[GraphMetadata.CodingKeys.task.rawValue] }
}
