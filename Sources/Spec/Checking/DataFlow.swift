import IR

/// How a training step moves values between networks.
///
/// Data variables come from the training set. Each latent variable comes from its
/// training source: the posterior of the KL term over it or, when no KL term covers it,
/// the one network that outputs it. A network therefore reads from the sources of the
/// latent variables among its inputs, and must run after them.
struct DataFlow {
    /// Latent variable → the network sampled for it.
    var sources: [String: String]
    /// Latent variables that several networks output with no KL term to choose among
    /// them. Until that is fixed, whether those networks are used cannot be said.
    var undecided: Set<String>
    /// Every network a step evaluates: those in loss terms and the sources they read.
    var evaluated: Set<String>
    /// `evaluated`, each network after the ones it reads, ties in document order. When
    /// the flow has a cycle, the networks on or after it are missing.
    var order: [String]
}

/// A network reading a latent variable from another network: `reader.inputs[input]`
/// is the sample that `source` draws.
private struct Edge {
    var source: String
    var reader: String
    var input: Int
}

extension SpecChecker {
    /// Derives the data flow, reporting latent variables without a unique source, and
    /// cycles. Nil when the networks, the loss or the data variables are not all known.
    mutating func dataFlow() -> DataFlow? {
        guard let networks = completeNetworks, let declared = draft.variables, dataVariables != nil,
              let loss = draft.loss, !loss.contains(nil)
        else { return nil }
        let terms = loss.compactMap { $0 }
        let byName = networks.keyed(by: \.name)
        guard terms.allSatisfy({ $0.networks.allSatisfy { byName[$0] != nil } }) else { return nil }

        let latents = declared.map(\.name).filter { isLatent($0) == true }
        let (sources, undecided) = trainingSources(of: latents, networks: networks, terms: terms)

        // What each network reads from other networks. Reading its own output is
        // reported elsewhere and is no dependency here.
        var upstream: [String: [Edge]] = [:]
        for network in networks {
            upstream[network.name] = network.inputs.enumerated().compactMap { input, variable in
                guard let source = sources[variable], source != network.name else { return nil }
                return Edge(source: source, reader: network.name, input: input)
            }
        }

        var evaluated = Set(terms.flatMap(\.networks))
        var frontier = Array(evaluated)
        while let name = frontier.popLast() {
            for edge in upstream[name, default: []] where evaluated.insert(edge.source).inserted {
                frontier.append(edge.source)
            }
        }
        let trained = networks.filter { evaluated.contains($0.name) }
        let edges = trained.flatMap { upstream[$0.name, default: []] }

        // Kahn's algorithm, always taking the ready network that comes first in the document.
        let rank = trained.enumerated().map { ($1.name, $0) }.keyed(by: \.0).mapValues(\.1)
        var waiting = trained.map { upstream[$0.name, default: []].count }
        var readers: [String: [Int]] = [:]
        for edge in edges {
            if let reader = rank[edge.reader] { readers[edge.source, default: []].append(reader) }
        }
        var ready = IndexHeap(trained.indices.filter { waiting[$0] == 0 })
        var order: [String] = []
        while let next = ready.popMin() {
            order.append(trained[next].name)
            for reader in readers[trained[next].name, default: []] {
                waiting[reader] -= 1
                if waiting[reader] == 0 { ready.insert(reader) }
            }
        }

        let placed = Set(order)
        reportCycles(among: trained.map(\.name).filter { !placed.contains($0) }, upstream: upstream)
        return DataFlow(sources: sources, undecided: undecided, evaluated: evaluated, order: order)
    }

    /// The source of each latent variable, and the variables whose source is undecided.
    private mutating func trainingSources(of latents: [String], networks: [Network], terms: [LossTerm])
        -> (sources: [String: String], undecided: Set<String>) {
        let outputOf = networks.keyed(by: \.name).mapValues(\.output)

        var posterior: [String: (network: String, term: Int)] = [:]
        for (index, term) in terms.enumerated() {
            guard case .kl(let q, _, _) = term, let variable = outputOf[q], isLatent(variable) == true
            else { continue }
            if let earlier = posterior[variable] {
                if earlier.network != q {
                    log.error("latent variable \(quoted(variable)) already has the posterior "
                              + "\(quoted(earlier.network)) (loss[\(earlier.term)]); it can have only one",
                              at: JSONPath.root.member("loss").element(index).member("kl").element(0))
                }
            } else {
                posterior[variable] = (q, index)
            }
        }

        var producers: [String: [String]] = [:]
        for network in networks { producers[network.output, default: []].append(network.name) }
        // A latent variable that no network reads needs no source; it is reported as unused.
        let read = Set(networks.flatMap(\.inputs))

        var sources: [String: String] = [:]
        var undecided: Set<String> = []
        for variable in latents {
            if let (network, _) = posterior[variable] {
                sources[variable] = network
                continue
            }
            let candidates = producers[variable, default: []]
            let path = JSONPath.root.member("variables").member(variable)
            if candidates.count == 1 {
                sources[variable] = candidates[0]
                // Training differentiates through the sample that stands for the variable.
                let family = networks.first { $0.name == candidates[0] }!.distribution
                if read.contains(variable), !family.capabilities.contains(.reparameterized) {
                    log.error("latent variable \(quoted(variable)) is drawn from \(quoted(candidates[0])) in training, but a "
                              + "\(family.name) sample is not reparameterized, so no gradient reaches that network; "
                              + "model it with \(DistributionFamilies.names(with: .reparameterized))",
                              at: JSONPath.root.member("networks").member(candidates[0]).member("output").member(variable),
                              anchor: .key)
                }
            } else if !read.contains(variable) {
                continue
            } else if candidates.isEmpty {
                log.error("latent variable \(quoted(variable)) has no training source: "
                          + "no kl term covers it and no network outputs it", at: path, anchor: .key)
            } else {
                undecided.insert(variable)
                log.error("latent variable \(quoted(variable)) has no training source: "
                          + "\(listing(candidates, "and")) output it, and no kl term says which is "
                          + "its posterior", at: path, anchor: .key)
            }
        }
        return (sources, undecided)
    }

    /// Reports each cycle among `stuck`, the networks that could not be ordered: those on
    /// a cycle and those downstream of one. A cycle is named in the direction data flows,
    /// starting from its network that comes first in the document, and is reported at the
    /// input that closes it.
    private mutating func reportCycles(among stuck: [String], upstream: [String: [Edge]]) {
        let rank = stuck.enumerated().map { ($1, $0) }.keyed(by: \.0).mapValues(\.1)
        var remaining = Set(stuck)
        var start = 0
        while start < stuck.count {
            guard remaining.contains(stuck[start]) else {
                start += 1
                continue
            }
            // Follow remaining sources upstream until a network repeats (a cycle) or
            // none is left (that network is downstream of cycles already reported).
            var walk: [Edge] = []
            var position = [stuck[start]: 0]
            var current = stuck[start]
            var cycle: [Edge]?
            while cycle == nil,
                  let edge = upstream[current, default: []].first(where: { remaining.contains($0.source) }) {
                walk.append(edge)
                if let seen = position[edge.source] {
                    cycle = Array(walk[seen...])
                } else {
                    position[edge.source] = walk.count
                    current = edge.source
                }
            }
            if let cycle {
                reportCycle(cycle, rank: rank)
                remaining.subtract(cycle.map(\.reader))
            } else {
                remaining.remove(current)
            }
        }
    }

    /// `cycle` lists edges upstream: each edge's source is the next edge's reader.
    private mutating func reportCycle(_ cycle: [Edge], rank: [String: Int]) {
        // Reversed, each edge feeds the next. Start with the edge into the network that
        // comes first in the document: its input closes the cycle.
        let flow = Array(cycle.reversed())
        let first = flow.indices.min { rank[flow[$0].reader, default: 0] < rank[flow[$1].reader, default: 0] } ?? 0
        let rotated = flow[first...] + flow[..<first]
        guard let closing = rotated.first else { return }
        let names = ([closing.reader] + rotated.dropFirst().map(\.reader) + [closing.reader])
            .joined(separator: " -> ")
        // A kl term written the wrong way round makes the prior the source of the latent
        // variable, which is the usual way into a cycle: say what the order means.
        let onCycle = Set(cycle.map(\.reader))
        let swapped = (draft.loss ?? []).enumerated().lazy.compactMap { index, term -> String? in
            guard case .kl(let q, let p, _)? = term, onCycle.contains(q) else { return nil }
            return "; \(quoted(q)) is the source of its variable because it comes first in loss[\(index)].kl: the first "
                + "network of a kl term is the posterior, whose sample the other networks read in training, and the "
                + "second its prior (was [\(quoted(p)), \(quoted(q))] meant?)"
        }.first ?? ""
        log.error("the training data flow has a cycle: \(names)" + swapped,
                  at: JSONPath.root.member("networks").member(closing.reader).member("inputs").element(closing.input))
    }
}
