import IR

extension SpecChecker {
    /// Resolves each network's `bounds` to a box, by network name, and reports what cannot be
    /// bounded. Bounds apply to a data variable only: the model's answer (sample.target), or a
    /// variable an nll fits; a latent variable's distribution is the model's own to choose. The
    /// box holds in the variable's own units, so the variable is not scaled before it reaches
    /// the graph: the graph's logit of (x − lo)/(hi − lo) is its scaling.
    mutating func checkBounds(against tasks: [BuiltInTask]) -> [String: Box] {
        var boxes: [String: Box] = [:]
        for network in draft.networks ?? [] {
            guard let bounds = network.bounds, let variable = network.output else { continue }
            let path = network.path.member("output").member(variable).member("bounds")
            if isLatent(variable) == true {
                log.error("\(quoted(variable)) is latent; bounds apply to a data variable (sample.target, or one an nll fits)",
                          at: path)
                continue
            }
            if draft.training.scaling(of: variable) != .none {
                log.error("a bounded variable is mapped into its box by the graph, in its own units, so it is not scaled before: "
                          + "set training.scaling to {\(quoted(variable)): \"none\"} (other variables keep \"standard\")", at: path)
            }
            guard let size = variables?[variable]?.size else { continue }
            switch bounds {
            case .prior:
                guard let box = priorBox(of: variable, size: size, tasks: tasks, at: path) else { continue }
                boxes[network.name] = box
            case .intervals(let intervals):
                if intervals.count == 1 {
                    boxes[network.name] = Box(intervals[0], size: size)
                } else if intervals.count == size {
                    boxes[network.name] = Box(lower: intervals.map(\.lowerBound), upper: intervals.map(\.upperBound))
                } else {
                    log.error("\(quoted(variable)) has \(size) components: give one [lower, upper] pair for each, or one for all; "
                              + "found \(intervals.count)", at: path)
                }
            }
        }
        return boxes
    }

    /// The box of the task's prior, over sample.target; reported where there is none.
    private mutating func priorBox(of variable: String, size: Int, tasks: [BuiltInTask], at path: JSONPath) -> Box? {
        let numbers = "; give the bounds as numbers, [[lower, upper], …]"
        guard let task = draft.task else {
            log.error("\"prior\" bounds take the box of the task's prior, but the spec names no task" + numbers, at: path)
            return nil
        }
        guard variable == draft.sampling.target else {
            log.error("the prior of task \(quoted(task)) is over sample.target \(quoted(draft.sampling.target ?? "")), "
                      + "not \(quoted(variable))" + numbers, at: path)
            return nil
        }
        guard let builtIn = tasks.first(where: { $0.name == task }) else {
            log.error("the prior of task \(quoted(task)) is not known here (no built-in task of that name)" + numbers, at: path)
            return nil
        }
        guard let box = builtIn.priorBox else {
            log.error("the prior of task \(quoted(task)) is not a box (uniform in every component)" + numbers, at: path)
            return nil
        }
        // A task whose size differs from the variable's is reported by checkTask.
        return box.size == size ? box : nil
    }
}
