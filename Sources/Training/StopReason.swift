/// Why training stopped, as `model.json` records it (`summary.stopped`) and `sbic train` prints it.
public enum StopReason: String, Codable, Sendable, CustomStringConvertible {
    /// `patience` epochs went by without a better validation loss.
    case earlyStopping = "early stopping"
    case maxEpochs = "max epochs"
    /// Stopped on request (Ctrl-C); the best model so far is kept.
    case interrupted
    /// The loss became NaN or infinite; the best model so far is kept.
    case nonFiniteLoss = "non-finite loss"
    /// Not stopped: a checkpoint written while training runs.
    case running

    public var description: String { rawValue }

    /// Whether the run ended as it was meant to, so that a sweep need not train it again.
    public var isFinished: Bool {
        switch self {
        case .earlyStopping, .maxEpochs, .nonFiniteLoss: return true
        case .interrupted, .running: return false
        }
    }
}
