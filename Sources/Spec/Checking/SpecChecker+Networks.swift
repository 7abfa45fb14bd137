extension SpecChecker {
    /// Each network on its own: its references and the shape its distribution allows.
    mutating func checkNetworks() {
        for network in draft.networks ?? [] {
            checkInputs(of: network)
            checkOutput(of: network)
            checkShape(of: network)
        }
    }

    private mutating func checkInputs(of network: NetworkDraft) {
        guard let inputs = network.inputs else { return }
        var firstIndex: [String: Int] = [:]
        for (index, input) in inputs.enumerated() {
            let path = network.path.member("inputs").element(index)
            if let first = firstIndex[input] {
                log.error("duplicate input \(quoted(input)) (also inputs[\(first)])", at: path)
                continue
            }
            firstIndex[input] = index
            checkDeclared(input, at: path)
        }
    }

    private mutating func checkOutput(of network: NetworkDraft) {
        guard let output = network.output else { return }
        let path = network.path.member("output").member(output)
        checkDeclared(output, at: path, anchor: .key)
        if network.inputs?.contains(output) == true {
            log.error("network \(quoted(network.name)) outputs its own input \(quoted(output))",
                      at: path, anchor: .key)
        }
    }

    private mutating func checkShape(of network: NetworkDraft) {
        guard let family = network.distribution else { return }
        if family.capabilities.contains(.learned) {
            if network.inputs?.isEmpty == true {
                log.error("a \(family.name) network needs at least one input", at: network.path.member("inputs"))
            }
        } else {
            // A fixed family (N(0, I)): there is nothing to condition on and nothing to learn.
            if let inputs = network.inputs, !inputs.isEmpty {
                log.error("a \(family.name) network takes no inputs", at: network.path.member("inputs"))
            }
            if !network.hidden.isEmpty {
                log.error("a \(family.name) network has no hidden layers", at: network.path.member("hidden"))
            }
            if network.hasOwnActivation {
                log.error("a \(family.name) network has no layers to activate",
                          at: network.path.member("activation"))
            }
        }
    }
}
