/// The simulators sbic ships: the ten sbibm tasks and the Simformer Hodgkin–Huxley task.
public enum Simulators {
    /// One entry per simulator; the single source of both `names` and `named(_:)`.
    static let registry: [(name: String, make: @Sendable () -> any Simulator)] = [
        ("two_moons", { TwoMoons() }),
        ("gaussian_linear", { GaussianLinear() }),
        ("gaussian_linear_uniform", { GaussianLinear(uniformPrior: true) }),
        ("gaussian_mixture", { GaussianMixture() }),
        ("slcp", { SLCP() }),
        ("slcp_distractors", { SLCPDistractors() }),
        ("bernoulli_glm", { BernoulliGLM() }),
        ("bernoulli_glm_raw", { BernoulliGLM(raw: true) }),
        ("sir", { SIR() }),
        ("lotka_volterra", { LotkaVolterra() }),
        ("hodgkin_huxley", { HodgkinHuxley() }),
    ]

    public static let names: [String] = registry.map(\.name)

    /// The simulator called `name`; the error lists the valid names.
    public static func named(_ name: String) throws -> any Simulator {
        guard let entry = registry.first(where: { $0.name == name }) else {
            throw SimulatorError(description: "unknown simulator \"\(name)\"; valid names: "
                                     + names.joined(separator: ", "))
        }
        return entry.make()
    }
}

public struct SimulatorError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
