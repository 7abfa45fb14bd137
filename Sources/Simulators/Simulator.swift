import Random

/// A stochastic simulator with a prior: the pair (p(θ), p(x | θ)) that simulation-based
/// inference learns to invert.
public protocol Simulator: Sendable {
    /// The task's name, as accepted by `Simulators.named(_:)`.
    var name: String { get }
    /// One name per parameter, in the order of θ.
    var parameterNames: [String] { get }
    /// The length of x.
    var observationDimension: Int { get }
    /// The prior over θ.
    var prior: Prior { get }

    /// A draw θ ~ p(θ).
    func samplePrior(_ rng: inout RandomStream) -> [Double]

    /// A draw x ~ p(x | θ). It holds NaN where sbibm's simulator does (a failed ODE
    /// solve), and is all NaN when θ has the wrong length.
    func simulate(_ theta: [Double], _ rng: inout RandomStream) -> [Double]
}

extension Simulator {
    /// The length of θ.
    public var parameterDimension: Int { parameterNames.count }

    public func samplePrior(_ rng: inout RandomStream) -> [Double] {
        prior.sample(&rng)
    }

    /// log p(θ), −∞ outside the prior's support.
    public func priorLogDensity(_ theta: [Double]) -> Double {
        prior.logDensity(theta)
    }

    /// What `simulate` returns for a θ it cannot use.
    var invalidObservation: [Double] {
        [Double](repeating: .nan, count: observationDimension)
    }
}

/// `parameter_1 … parameter_count`, sbibm's column names for most tasks.
func numberedParameters(_ count: Int) -> [String] {
    (1...count).map { "parameter_\($0)" }
}
