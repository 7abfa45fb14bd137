import IR

extension SpecChecker {
    /// The sample section: its variables, and a walk along its path that tracks which
    /// variables are available at each step.
    mutating func checkSampling() {
        let section = JSONPath.root.member("sample")
        let sampling = draft.sampling
        if let given = sampling.given { checkDeclared(given, at: section.member("given")) }
        if let target = sampling.target { checkDeclared(target, at: section.member("target")) }
        if let given = sampling.given, given == sampling.target {
            log.error("the target must differ from sample.given (both are \(quoted(given)))",
                      at: section.member("target"))
        }
        if let path = sampling.path {
            checkPath(path, at: section.member("path"))
        }
        checkScaledVariables()
    }

    /// `training.scaling` may name only the data variables, sample.given and sample.target.
    private mutating func checkScaledVariables() {
        guard let dataVariables else { return }
        for variable in draft.training.variableScaling.keys.sorted() where !dataVariables.contains(variable) {
            log.error("\(quoted(variable)) is not a data variable: scaling applies to \(listing(dataVariables.sorted(), "and"))",
                      at: JSONPath.root.member("training").member("scaling").member(variable), anchor: .key)
        }
    }

    private mutating func checkPath(_ names: [String], at path: JSONPath) {
        guard !names.isEmpty else {
            log.error("the sampling path needs at least one network", at: path)
            return
        }

        // Which step provides each variable so far. The walk stops checking availability
        // at the first network it cannot follow, as later steps would only echo that.
        var provider: [String: String] = [:]
        var followable = false
        if let given = draft.sampling.given, variables?[given] != nil {
            provider[given] = "sample.given"
            followable = true
        }
        for (index, name) in names.enumerated() {
            let step = path.element(index)
            guard let network = resolve(network: name, at: step) else {
                followable = false
                continue
            }
            guard followable, let inputs = network.inputs, let output = network.output else {
                followable = false
                continue
            }
            // Unknown inputs, and a network reading its own output, are reported already.
            for input in inputs where provider[input] == nil && variables?[input] != nil && input != output {
                log.error("network \(quoted(name)) needs \(quoted(input)), "
                          + "which neither sample.given nor an earlier network produces", at: step)
            }
            if let earlier = provider[output] {
                log.error("network \(quoted(name)) outputs \(quoted(output)), which \(earlier) already provides",
                          at: step)
            } else {
                provider[output] = "sample.path[\(index)]"
            }
        }
        checkEnd(of: names, at: path)
    }

    /// The samples come from the last network, which must draw `target` from a Gaussian.
    private mutating func checkEnd(of names: [String], at path: JSONPath) {
        // With an unknown target, or one equal to sample.given, the end cannot be judged.
        guard let target = draft.sampling.target, variables?[target] != nil, target != draft.sampling.given,
              let name = names.last, let last = networks?[name],
              let output = last.output, let distribution = last.distribution
        else { return }
        let reason: String? = if output != target {
            "\(quoted(name)) outputs \(quoted(output))"
        } else if !distribution.capabilities.contains(.samplesTarget) {
            "\(quoted(name)) is \(distribution.name)"
        } else {
            nil
        }
        if let reason {
            log.error("the path must end with a \(DistributionFamilies.names(with: .samplesTarget)) network that outputs sample.target \(quoted(target)), "
                      + "but \(reason)", at: path.element(names.count - 1))
        }
    }
}
