import Foundation
import Random

/// sbibm `sir` (tasks.md §9): the SIR epidemic ODE for a population of 10⁶ with one
/// initial infection, observed through Binomial(1000, I(t)/N) counts on days
/// 0, 17, …, 153.
public struct SIR: Simulator {
    public static let population = 1_000_000.0
    public static let trials = 1000
    /// Days 0, 17, …, 153: every 17th of sbibm's daily outputs.
    public static let observationTimes = (0..<10).map { Double(17 * $0) }

    public let name = "sir"
    public let parameterNames = ["beta", "gamma"]
    public let observationDimension = 10
    /// β ~ LogNormal(ln 0.4, 0.5), γ ~ LogNormal(ln 0.125, 0.2).
    public let prior = Prior.constant(.logNormal(mu: [log(0.4), log(0.125)], sigma: [0.5, 0.2]))

    public init() {}

    public func simulate(_ theta: [Double], _ rng: inout RandomStream) -> [Double] {
        guard theta.count == 2, let states = solve(theta) else { return invalidObservation }
        return states.map { state in
            // sbibm casts I to float32 before dividing by N, and clamps to [0, 1].
            let p = min(max(Double(Float(state[1])) / Self.population, 0), 1)
            return Double(rng.binomial(count: Self.trials, probability: p))
        }
    }

    /// (S, I, R) at `observationTimes`, or nil when the solve fails (sbibm then reports
    /// NaN). The default tolerance is sbibm's rtol = atol = 1e−8.
    public func solve(_ theta: [Double], tolerance: Double = 1e-8) -> [[Double]]? {
        guard theta.count == 2 else { return nil }
        let beta = theta[0]
        let gamma = theta[1]
        let n = Self.population
        let solver = DormandPrince(relativeTolerance: tolerance, absoluteTolerance: tolerance)
        let states = solver.solve(from: 0, initial: [n - 1, 1, 0, 0], dimension: 3,
                                  times: Self.observationTimes) { _, y in
            let infection = beta * y[0] * y[1] / n
            let recovery = gamma * y[1]
            return [-infection, infection - recovery, recovery, 0]
        }
        return states?.map { [$0[0], $0[1], $0[2]] }
    }
}
