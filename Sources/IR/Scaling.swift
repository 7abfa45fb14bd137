/// How a data variable is scaled before training, and θ scaled back after sampling: the
/// spec's `scaling`, a graph's `training.scaling.*` metadata and a model's scalers all name it.
public enum Scaling: String, CaseIterable, Codable, Sendable {
    /// Subtract the mean, divide by the standard deviation.
    case standard
    /// Subtract the median, divide by the interquartile range: heavy tails do not dominate.
    case robust
    /// The natural logarithm, then standard: for positive data that span orders of magnitude
    /// (populations, concentrations, rates). θ comes back through the exponential.
    case logStandard = "log_standard"
    /// Leave the data as they are.
    case none

    /// The names of every scaling, as a message lists them: "standard, robust, log_standard or none".
    public static var names: String {
        let names = allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    /// Decoded by name; an unknown name is reported with the names there are.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let scaling = Scaling(rawValue: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not \(Scaling.names)")
        }
        self = scaling
    }
}
