import IR

/// The training protocol's settings as a graph's metadata records them (`training.*`). They
/// are read and range-checked once: a hand-edited `.sbig` may hold anything there, and an
/// epoch count of 1e300 or a validation fraction of 2 must be refused, not trapped on.
public struct TrainingSettings: Sendable {
    public var learningRate: Double
    public var maxEpochs: Int
    public var patience: Int
    public var validationFraction: Double
    /// The scalings of θ (`sample.target`) and y (`sample.given`).
    public var thetaScaling: Scaler.Kind, yScaling: Scaler.Kind

    public init(_ graph: Graph) throws {
        func value(_ key: String) throws -> String {
            guard let text = graph.metadata["training." + key] else { throw TrainingError("meta training.\(key) is missing") }
            return text
        }
        func number(_ key: String, _ range: String, _ isValid: (Double) -> Bool) throws -> Double {
            let text = try value(key)
            guard let number = Double(text), number.isFinite, isValid(number) else {
                throw TrainingError("meta training.\(key) is \(text), not a number \(range)")
            }
            return number
        }
        func count(_ key: String) throws -> Int {
            let text = try value(key)
            guard let count = Int(text), count > 0, count <= Int(Int32.max) else {
                throw TrainingError("meta training.\(key) is \(text), not an integer from 1 to \(Int32.max)")
            }
            return count
        }
        learningRate = try number("learning_rate", "> 0") { $0 > 0 }
        maxEpochs = try count("max_epochs")
        patience = try count("patience")
        validationFraction = try number("validation_fraction", "in (0, 1)") { $0 > 0 && $0 < 1 }
        func scaling(_ key: String) throws -> Scaler.Kind {
            let kind = try value(key)
            guard let scaling = Scaler.Kind(rawValue: kind) else {
                let kinds = Scaler.Kind.allCases.map(\.rawValue)
                throw TrainingError("meta training.\(key) is \(kind), not \(kinds.dropLast().joined(separator: ", ")) or \(kinds.last!)")
            }
            return scaling
        }
        thetaScaling = try scaling("scaling.target")
        yScaling = try scaling("scaling.given")
    }
}
