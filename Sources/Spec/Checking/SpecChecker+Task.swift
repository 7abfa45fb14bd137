import IR

/// A built-in simulator's sizes, for checking a spec that names it as its task. The
/// simulators live downstream of the spec language; their callers pass these in.
public struct BuiltInTask: Equatable, Sendable {
    public var name: String
    public var parameters: Int
    public var observations: Int
    /// The prior's box where the prior is uniform in every component (the support a spec's
    /// `"bounds": "prior"` names); nil for any other prior.
    public var priorBox: Box?

    public init(name: String, parameters: Int, observations: Int, priorBox: Box? = nil) {
        self.name = name; self.parameters = parameters; self.observations = observations; self.priorBox = priorBox
    }

    /// A simulator's entry as `Simulators.sizes` lists it.
    public init(_ task: (name: String, parameters: Int, observations: Int, box: (lower: [Double], upper: [Double])?)) {
        self.init(name: task.name, parameters: task.parameters, observations: task.observations,
                  priorBox: task.box.map { Box(lower: $0.lower, upper: $0.upper) })
    }
}

extension SpecChecker {
    /// A task that names a built-in simulator must declare its sizes of θ (sample.target)
    /// and y (sample.given), or training would fail only once it simulates. A task that is
    /// one typo from a built-in name is reported with that name; any other names the user's
    /// own simulator and is not checked.
    mutating func checkTask(against tasks: [BuiltInTask]) {
        guard let task = draft.task else { return }
        guard let builtIn = tasks.first(where: { $0.name == task }) else {
            if let near = suggestion(for: task, among: tasks.map(\.name)) {
                log.error("unknown task \(quoted(task)); did you mean \(quoted(near))? (a spec for a simulator of "
                          + "your own names no built-in task)", at: JSONPath.root.member("task"))
            }
            return
        }
        for (variable, size, what) in [(draft.sampling.target, builtIn.parameters, "parameters"),
                                        (draft.sampling.given, builtIn.observations, "observed values")] {
            guard let variable, let declared = variables?[variable], declared.size != size else { continue }
            log.error("\(task) has \(size) \(what), but \(quoted(variable)) has size \(declared.size)",
                      at: JSONPath.root.member("variables").member(variable))
        }
    }
}
