/// The second pass over a document: the checks that relate its parts to each other
/// (references, the sampling path, the training data flow, unused declarations).
///
/// Each check runs on whatever decoded cleanly and is skipped where a part it needs
/// did not, so that one mistake is not reported again as the consequences it implies.
struct SpecChecker {
    var log: DiagnosticLog
    let draft: SpecDraft
    /// Declared variables by name; nil when the variables section could not be read.
    let variables: [String: Variable]?
    /// Declared networks by name; nil when the networks section could not be read.
    let networks: [String: NetworkDraft]?
    /// sample.given and sample.target; nil unless both are declared and they differ,
    /// as otherwise which variables are latent would be a guess.
    let dataVariables: Set<String>?

    /// Runs every check and returns the training data flow, when it could be derived.
    /// The bounds of the networks' outputs are resolved to boxes in `draft`.
    static func check(_ draft: inout SpecDraft, log: inout DiagnosticLog, tasks: [BuiltInTask] = []) -> DataFlow? {
        var checker = SpecChecker(draft: draft, log: log)
        checker.checkTask(against: tasks)
        checker.checkNetworks()
        let boxes = checker.checkBounds(against: tasks)
        for i in draft.networks?.indices ?? 0..<0 { draft.networks![i].box = boxes[draft.networks![i].name] }
        checker.checkLoss()
        checker.checkSampling()
        let dataFlow = checker.dataFlow()
        checker.checkUsage(dataFlow)
        log = checker.log
        return dataFlow
    }

    private init(draft: SpecDraft, log: DiagnosticLog) {
        self.log = log
        self.draft = draft
        let variables = draft.variables?.keyed(by: \.name)
        self.variables = variables
        networks = draft.networks?.keyed(by: \.name)
        if let given = draft.sampling.given, let target = draft.sampling.target, given != target,
           variables?[given] != nil, variables?[target] != nil {
            dataVariables = [given, target]
        } else {
            dataVariables = nil
        }
    }

    /// Whether a declared `variable` is latent; nil while the data variables are unknown.
    func isLatent(_ variable: String) -> Bool? {
        guard let variables, let dataVariables else { return nil }
        return variables[variable] != nil && !dataVariables.contains(variable)
    }

    /// Every network, when each one decoded completely.
    var completeNetworks: [Network]? {
        guard let drafts = draft.networks else { return nil }
        let complete = drafts.compactMap(\.network)
        return complete.count == drafts.count ? complete : nil
    }

    /// The network `name` refers to; reported as unknown when the networks are known
    /// and it is not among them.
    mutating func resolve(network name: String, at path: JSONPath) -> NetworkDraft? {
        guard let networks else { return nil }
        guard let network = networks[name] else {
            log.error("unknown network \(quoted(name))" + didYouMean(name, among: networks.keys.sorted()), at: path)
            return nil
        }
        return network
    }

    /// Reports `variable` as unknown when the variables are known and it is not among them.
    mutating func checkDeclared(_ variable: String, at path: JSONPath, anchor: SourceMap.Anchor = .value) {
        if let variables, variables[variable] == nil {
            log.error("unknown variable \(quoted(variable))" + didYouMean(variable, among: variables.keys.sorted()), at: path, anchor: anchor)
        }
    }
}
