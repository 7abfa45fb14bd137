extension SpecDecoder {
    /// `{"encoder": {...}, ...}`; each network's activation falls back to `activation`.
    mutating func networks(_ field: Field, activation: Activation) -> [NetworkDraft]? {
        guard let members = members(field) else { return nil }
        return members.entries.map { name, body in
            checkIdentifier(name, at: body.path)
            return network(named: name, body, activation: activation)
        }
    }

    private mutating func network(named name: String, _ field: Field, activation: Activation) -> NetworkDraft {
        var draft = NetworkDraft(name: name, activation: activation)
        guard let members = record(field, .network) else { return draft }

        draft.inputs = []
        if let field = members["inputs"] { draft.inputs = strings(field) }
        if let field = members["hidden"], let widths = array(field) {
            draft.hidden = widths.map { count($0) ?? 0 }
        }
        if let field = members["activation"] {
            draft.hasOwnActivation = true
            draft.activation = self.activation(field) ?? activation
        }
        if let field = members["output"], let (variable, distribution) = output(field) {
            draft.output = variable
            draft.distribution = distribution
        }
        return draft
    }

    /// `{"z": "gaussian"}`: exactly one variable and its distribution. The variable is
    /// returned even when the distribution is wrong, so references to it still resolve.
    private mutating func output(_ field: Field) -> (String, OutputDistribution?)? {
        guard let members = members(field) else { return nil }
        guard members.entries.count == 1, let (variable, kind) = members.entries.first else {
            let found = members.entries.isEmpty ? "none" : "\(members.entries.count)"
            log.error("a network outputs exactly one variable, as in {\"z\": \"gaussian\"}; found \(found)",
                      at: field.path)
            return nil
        }
        let options = OutputDistribution.allCases.map(\.rawValue)
        let distribution = choice(kind, from: options, what: "distribution").flatMap(OutputDistribution.init)
        return (variable, distribution)
    }
}
