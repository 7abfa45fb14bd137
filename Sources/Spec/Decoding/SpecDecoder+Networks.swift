import IR

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
        if let field = members["output"], let (variable, distribution, bounds) = output(field) {
            draft.output = variable
            draft.distribution = distribution
            draft.bounds = bounds
        }
        return draft
    }

    /// `{"z": "gaussian"}`: exactly one variable and its distribution. The variable is
    /// returned even when the distribution is wrong, so references to it still resolve.
    private mutating func output(_ field: Field) -> (String, OutputDistribution?, BoundsDraft?)? {
        guard let members = members(field) else { return nil }
        guard members.entries.count == 1, let (variable, kind) = members.entries.first else {
            let found = members.entries.isEmpty ? "none" : "\(members.entries.count)"
            log.error("a network outputs exactly one variable, as in {\"z\": \"gaussian\"}; found \(found)",
                      at: field.path)
            return nil
        }
        let (distribution, bounds) = distribution(kind)
        return (variable, distribution, bounds)
    }

    /// A family's name, `"gaussian"`, or an object that names it and gives its settings,
    /// `{"family": "mixture", "components": 5}`, and optionally its bounds (SpecDecoder+Bounds).
    private mutating func distribution(_ field: Field) -> (OutputDistribution?, BoundsDraft?) {
        guard case .object = field.value.kind, let members = members(field) else { return (family(field), nil) }
        return (family(field, members), members["bounds"].flatMap { bounds($0) })
    }

    /// The family of `distribution`; `members` where it is an object.
    private mutating func family(_ field: Field, _ members: Members? = nil) -> OutputDistribution? {
        let names = DistributionFamilies.all.map { $0.name }
        if case .string = field.value.kind {
            guard let name = choice(field, from: names, what: "distribution"),
                  let family = DistributionFamilies.named(name) else { return nil }
            guard family.options.isEmpty else {
                let example = family.options.map { "\"\($0.name)\": \($0.range.lowerBound + 1)" }.joined(separator: ", ")
                log.error("a \(name) needs its settings: {\"family\": \"\(name)\", \(example)}", at: field.path)
                return nil
            }
            return OutputDistribution(family.init(options: [:]))
        }
        guard case .object = field.value.kind else {
            return mismatch(field, expected: "a distribution's name, or an object with \"family\"")
        }
        guard let members else { return nil }
        let family = members["family"].flatMap { choice($0, from: names, what: "distribution") }.flatMap(DistributionFamilies.named)
        // Until the family is known, only "family" itself can be judged.
        let optionNames = family?.options.map(\.name) ?? members.entries.map(\.key).filter { $0 != "family" && $0 != "bounds" }
        checkKeys(members, KeySchema(allowed: ["family"] + optionNames + ["bounds"], required: ["family"] + (family == nil ? [] : optionNames)),
                  at: field.path)
        guard let family else { return nil }
        var settings: [String: Int] = [:]
        for option in family.options {
            guard let field = members[option.name], let value = count(field) else { continue }
            guard option.range.contains(value) else {
                log.error("\(option.name) must be in \(option.range.lowerBound)...\(option.range.upperBound), found \(value)",
                          at: field.path)
                continue
            }
            settings[option.name] = value
        }
        guard settings.count == family.options.count else { return nil }
        return OutputDistribution(family.init(options: settings))
    }
}
