/// The first pass over a document: reads each part into a `SpecDraft`, reporting every
/// key, type, range and spelling problem. Relations between parts (references, data
/// flow) are left to `SpecChecker`.
struct SpecDecoder {
    var log: DiagnosticLog

    static func decode(_ root: JSONValue, log: inout DiagnosticLog) -> SpecDraft {
        var decoder = SpecDecoder(log: log)
        let draft = decoder.document(Field(value: root, path: .root))
        log = decoder.log
        return draft
    }

    private mutating func document(_ field: Field) -> SpecDraft {
        var draft = SpecDraft()
        guard let document = record(field, .document) else { return draft }

        if let field = document["$schema"] { _ = string(field) }
        if let field = document["name"], let name = string(field) {
            if NameRules.isModelName(name) {
                draft.name = name
            } else {
                log.error("invalid name \(quoted(name)): \(NameRules.modelNameRule)", at: field.path)
            }
        }
        // The task names a simulator and is recorded in the compiled graph's one-line metadata.
        if let field = document["task"], let task = string(field) {
            if NameRules.isModelName(task) {
                draft.task = task
            } else {
                log.error("invalid task \(quoted(task)): \(NameRules.taskNameRule)", at: field.path)
            }
        }
        if let field = document["description"] { draft.description = string(field) }
        if let field = document["variables"] { draft.variables = variables(field) }

        // Networks inherit the model's activation, so it is read first.
        let inherited = document["activation"].flatMap { activation($0) } ?? Activation.default
        if let field = document["networks"] { draft.networks = networks(field, activation: inherited) }

        if let field = document["log_variance_range"], let range = logVarianceRange(field) {
            draft.logVarianceRange = range
        }
        if let field = document["loss"] { draft.loss = loss(field) }
        if let field = document["sample"] { draft.sampling = sampling(field) }
        if let field = document["training"] { draft.training = training(field) }
        return draft
    }

    /// `{"theta": 2, ...}`. A variable whose size is wrong is kept (with a placeholder
    /// size) so that references to it are not reported as unknown.
    private mutating func variables(_ field: Field) -> [Variable]? {
        guard let members = members(field) else { return nil }
        return members.entries.map { name, size in
            checkIdentifier(name, at: size.path)
            return Variable(name: name, size: count(size) ?? 0)
        }
    }

    /// Reports a variable or network name that back ends could not use as an identifier.
    mutating func checkIdentifier(_ name: String, at path: JSONPath) {
        if !NameRules.isIdentifier(name) {
            log.error("invalid name \(quoted(name)): \(NameRules.identifierRule)", at: path, anchor: .key)
        }
    }

    /// Log-variances are clamped to this range before exp. Each end must lie where e^x is
    /// a normal float32 (|x| ≤ 87), or the clamp would not prevent overflow and underflow.
    static let logVarianceLimit = 87.0

    private mutating func logVarianceRange(_ field: Field) -> ClosedRange<Double>? {
        let limit = Self.logVarianceLimit
        guard let ends = numbers(field, count: 2, .closed(-limit...limit), describing: "[lower, upper]")
        else { return nil }
        guard ends[0] < ends[1] else {
            log.error("the lower end (\(ends[0].shortDescription)) must be less than the upper end (\(ends[1].shortDescription))",
                      at: field.path)
            return nil
        }
        return ends[0]...ends[1]
    }
}
