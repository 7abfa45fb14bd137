extension Simulators {
    /// The parameter names of `task`, if it is a simulator with `count` parameters.
    public static func parameterNames(ofTask task: String?, count: Int) -> [String]? {
        guard let task, let simulator = try? named(task), simulator.parameterDimension == count else { return nil }
        return simulator.parameterNames
    }

    /// The task's parameter names, or theta_1 … theta_count.
    public static func parameterNames(task: String?, count: Int) -> [String] {
        parameterNames(ofTask: task, count: count) ?? (1...max(count, 1)).map { "theta_\($0)" }
    }
}

extension Simulators {
    /// Each simulator's name, sizes of θ and y, and its prior's box where the prior is one,
    /// for checking specs that name it.
    public static var sizes: [(name: String, parameters: Int, observations: Int, box: (lower: [Double], upper: [Double])?)] {
        registry.map { entry in
            let simulator = entry.make()
            return (entry.name, simulator.parameterDimension, simulator.observationDimension, simulator.prior.box)
        }
    }
}
