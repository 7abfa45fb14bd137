import Simulators

extension TrainedModel {
    /// The built-in task the graph was compiled for, if any.
    public var task: String? { graph.task }

    /// θ's names: those recorded with the model, its task's, or theta_1 … theta_d.
    public var thetaNames: [String] {
        parameterNames ?? Simulators.parameterNames(task: task, count: thetaScaler.shift.count)
    }

    /// The prior whose support `--within-prior` keeps: `task`'s when one is named, else the
    /// prior the model was trained with, else its task's; nil when there is none.
    public func prior(task named: String? = nil) throws -> Prior? {
        let d = thetaScaler.shift.count
        if named == nil, let prior { return prior.prior }
        guard let name = named ?? task else { return nil }
        let simulator = try Simulators.named(name)
        guard simulator.parameterDimension == d else {
            throw TrainingError("\(name) has \(simulator.parameterDimension) parameters; the model draws \(d)")
        }
        return simulator.prior
    }
}
