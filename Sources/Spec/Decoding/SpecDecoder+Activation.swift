extension SpecDecoder {
    /// `"relu"`, `"tanh"`, `"sigmoid"` or `{"leaky_relu": slope}`.
    mutating func activation(_ field: Field) -> Activation? {
        switch field.value.kind {
        case .string(let name):
            switch name {
            case "relu": return .relu
            case "tanh": return .tanh
            case "sigmoid": return .sigmoid
            case "leaky_relu":
                log.error("leaky_relu needs a slope, as in {\"leaky_relu\": 0.1}", at: field.path)
            default:
                log.error("unknown activation \(quoted(name)) "
                          + "(expected \"relu\", \"tanh\", \"sigmoid\" or {\"leaky_relu\": slope})",
                          at: field.path)
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
