extension SpecDecoder {
    /// `[{"kl": [q, p], "weight": w}, {"nll": n}, ...]`. A term that cannot be read is
    /// nil, so the remaining ones keep their indices.
    mutating func loss(_ field: Field) -> [LossTerm?]? {
        guard let terms = array(field) else { return nil }
        if terms.isEmpty {
            log.error("the loss needs at least one term", at: field.path)
        }
        return terms.map { lossTerm($0) }
    }

    private mutating func lossTerm(_ field: Field) -> LossTerm? {
        guard let members = record(field, .lossTerm) else { return nil }
        // A weight is finite and non-negative: a negative one would reward the mismatch.
        let weight = members["weight"].map { number($0, .nonNegative) } ?? LossTerm.defaultWeight

        switch (members["kl"], members["nll"]) {
        case (let kl?, nil):
            guard let pair = strings(kl) else { return nil }
            guard pair.count == 2 else {
                log.error("kl names two networks, [posterior, prior]; found \(pair.count)", at: kl.path)
                return nil
            }
            guard let weight else { return nil }
            return .kl(posterior: pair[0], prior: pair[1], weight: weight)
        case (nil, let nll?):
            guard let network = string(nll), let weight else { return nil }
            return .nll(network: network, weight: weight)
        default:
            log.error("a loss term has exactly one of \"kl\" and \"nll\"", at: field.path)
            return nil
        }
    }
}
