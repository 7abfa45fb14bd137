extension SpecChecker {
    /// Declarations that nothing uses, and sampling networks that nothing trains: both are
    /// almost always a misspelling or a forgotten loss term.
    mutating func checkUsage(_ dataFlow: DataFlow?) {
        if let networks = completeNetworks, let variables = draft.variables {
            var used = Set(networks.flatMap { $0.inputs + [$0.output] })
            if let given = draft.sampling.given { used.insert(given) }
            if let target = draft.sampling.target { used.insert(target) }
            for variable in variables where !used.contains(variable.name) {
                log.error("variable \(quoted(variable.name)) is not used by any network",
                          at: JSONPath.root.member("variables").member(variable.name), anchor: .key)
            }
        }

        guard let dataFlow, let path = draft.sampling.path else { return }
        func isUndecided(_ network: String) -> Bool {
            networks?[network]?.output.map(dataFlow.undecided.contains) ?? false
        }
        let sampling = Set(path)
        for network in draft.networks ?? [] where !dataFlow.evaluated.contains(network.name)
                                               && !sampling.contains(network.name) && !isUndecided(network.name) {
            log.error("network \(quoted(network.name)) is used by neither the loss nor sample.path",
                      at: network.path, anchor: .key)
        }
        for (index, name) in path.enumerated() {
            if networks?[name]?.distribution?.capabilities.contains(.learned) == true, !dataFlow.evaluated.contains(name), !isUndecided(name) {
                log.error("network \(quoted(name)) has parameters but no loss term trains it",
                          at: JSONPath.root.member("sample").member("path").element(index))
            }
        }
    }
}
