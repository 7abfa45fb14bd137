import IR

extension SpecChecker {
    /// Each loss term against the networks it names.
    mutating func checkLoss() {
        for (index, term) in (draft.loss ?? []).enumerated() {
            let path = JSONPath.root.member("loss").element(index)
            switch term {
            case .kl(let posterior, let prior, _)?:
                checkKL(posterior: posterior, prior: prior, at: path.member("kl"))
            case .nll(let network, _)?:
                checkNLL(network, at: path.member("nll"))
            case nil:
                break
            }
        }
    }

    private mutating func checkKL(posterior q: String, prior p: String, at path: JSONPath) {
        let posterior = resolve(network: q, at: path.element(0))
        let prior = resolve(network: p, at: path.element(1))
        if q == p {
            log.error("the posterior and the prior are the same network \(quoted(q))", at: path)
        }
        // The posterior is what learns to infer the latent variable from the data; a
        // fixed N(0, I) would make the variable carry no information at all. A KL term is
        // lowered in closed form where the two families have one, else as a Monte-Carlo
        // estimate at q's sample, which needs that sample to be reparameterized (KLEstimate).
        let qFamily = posterior?.distribution, pFamily = prior?.distribution
        if let family = qFamily, !KLEstimate.canBePosterior(family.capabilities) {
            log.error("the posterior \(quoted(q)) must be \(DistributionFamilies.names(where: KLEstimate.canBePosterior)), "
                      + "not \(family.name)" + posteriorNote(family), at: path.element(0))
        } else if let qFamily, let pFamily, KLEstimate(posterior: qFamily.capabilities, prior: pFamily.capabilities) == nil {
            log.error("the prior \(quoted(p)) must be \(DistributionFamilies.names(with: .klPrior)), not \(pFamily.name): "
                      + "KL(\(qFamily.name) ‖ \(pFamily.name)) has no closed form, and a \(qFamily.name) sample is not "
                      + "reparameterized, so no Monte-Carlo estimate has a gradient", at: path.element(1))
        }
        guard let qVariable = posterior?.output, let pVariable = prior?.output else { return }
        if qVariable != pVariable {
            log.error("\(quoted(q)) models \(quoted(qVariable)) but \(quoted(p)) models \(quoted(pVariable)); "
                      + "a KL term compares two distributions of one variable", at: path)
        } else if dataVariables?.contains(qVariable) == true {
            log.error("KL terms relate latent variables, but \(quoted(qVariable)) is a data variable", at: path)
        }
    }

    /// Why a learned family cannot be the posterior: a fixed one is refused for its own reason.
    private func posteriorNote(_ family: OutputDistribution) -> String {
        family.capabilities.contains(.learned)
            ? ": KL divergences of a \(family.name) have no closed form, and its sample is not reparameterized, "
              + "so no Monte-Carlo estimate has a gradient"
            : ""
    }

    private mutating func checkNLL(_ name: String, at path: JSONPath) {
        guard let network = resolve(network: name, at: path) else { return }
        if let family = network.distribution, !family.capabilities.contains(.learned) {
            log.error("network \(quoted(name)) is \(family.name) and has no parameters to fit", at: path)
        } else if let output = network.output, isLatent(output) == true {
            log.error("network \(quoted(name)) outputs latent variable \(quoted(output)); "
                      + "nll fits a data variable (sample.given or sample.target)", at: path)
        }
    }
}
