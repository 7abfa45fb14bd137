import IR

/// What decoding recovered from a document, before the checks that relate its parts.
///
/// Whatever the document got wrong has already been reported. Where a later check needs
/// a field to be right, the field is optional and nil, and the check is skipped, so that
/// one mistake is reported once. Other fields hold placeholders, which is harmless: a
/// specification is assembled from a draft only when nothing was reported.
struct SpecDraft {
    var name = ""
    var task: String?
    var description: String?
    var variables: [Variable]?
    var networks: [NetworkDraft]?
    var logVarianceRange = ModelSpec.defaultLogVarianceRange
    var loss: [LossTerm?]?
    var sampling = SamplingDraft()
    var training = Training()

    /// The specification, when every part the checks need decoded; `dataFlow` supplies
    /// the derived training order and sources.
    func assemble(with dataFlow: DataFlow) -> ModelSpec? {
        guard let variables, let networks, let loss,
              let given = sampling.given, let path = sampling.path, let target = sampling.target
        else { return nil }
        let complete = networks.compactMap(\.network)
        let terms = loss.compactMap { $0 }
        guard complete.count == networks.count, terms.count == loss.count else { return nil }
        return ModelSpec(
            name: name, task: task, description: description,
            variables: variables, networks: complete,
            logVarianceRange: logVarianceRange, loss: terms,
            sampling: Sampling(given: given, path: path, target: target, batchSize: sampling.batchSize),
            training: training,
            trainingOrder: dataFlow.order, trainingSources: dataFlow.sources)
    }
}

struct NetworkDraft {
    var name: String
    var inputs: [String]?
    var hidden: [Int] = []
    /// Resolved like `Network.activation`.
    var activation = Activation.default
    /// Whether the network states an activation of its own.
    var hasOwnActivation = false
    var output: String?
    var distribution: OutputDistribution?
    /// The output's bounds as the spec states them; `box` once the checker has resolved them.
    var bounds: BoundsDraft?
    var box: Box?

    var path: JSONPath { JSONPath.root.member("networks").member(name) }

    var network: Network? {
        guard let inputs, let output, let distribution else { return nil }
        return Network(name: name, inputs: inputs, hidden: hidden, activation: activation,
                       output: output, distribution: distribution, bounds: box)
    }
}

/// `"bounds"` of a network's output, as written: the task's prior box, or intervals (one for
/// every component, or one for all).
enum BoundsDraft {
    case prior
    case intervals([ClosedRange<Double>])
}

struct SamplingDraft {
    var given: String?
    var path: [String]?
    var target: String?
    var batchSize = Sampling.defaultBatchSize
}
