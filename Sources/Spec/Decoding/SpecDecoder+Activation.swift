import IR

extension SpecDecoder {
    /// The activations of the op table without attributes, by name, and `"relu"`.
    static let namedActivations: [String: Activation] = Dictionary(uniqueKeysWithValues:
        [("relu", .relu)] + UnaryOp.table.filter { $0.traits.contains(.activation) && $0.attributes.isEmpty }
            .map { ($0.name, .op($0.make([]))) })

    /// `"relu"`, `"tanh"`, `"sigmoid"` or `{"leaky_relu": slope}`.
    mutating func activation(_ field: Field) -> Activation? {
        switch field.value.kind {
        case .string(let name):
            if let activation = Self.namedActivations[name] { return activation }
            if name == "leaky_relu" {
                log.error("leaky_relu needs a slope, as in {\"leaky_relu\": 0.1}", at: field.path)
            } else {
                let names = Self.namedActivations.keys.sorted().map(quoted).joined(separator: ", ")
                log.error("unknown activation \(quoted(name)) (expected \(names) or {\"leaky_relu\": slope})", at: field.path)
            }
            return nil
        case .object:
            // A slope of 1 or more, or a negative one, would not be a leaky ReLU.
            guard let members = record(field, .leakyReLU),
                  let slopeField = members["leaky_relu"],
                  let slope = number(slopeField, .halfOpenUnit)
            else { return nil }
            return .leakyReLU(slope: slope)
        default:
            return mismatch(field, expected: "an activation name or {\"leaky_relu\": slope}")
        }
    }
}
