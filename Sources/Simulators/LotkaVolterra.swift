import Foundation
import Random

/// sbibm `lotka_volterra` (tasks.md §10): predator–prey dynamics from (30, 1), observed
/// at t = 0, 2.1, …, 18.9 with multiplicative log-normal noise (log-space std 0.1);
/// x is the 10 prey values, then the 10 predator values.
public struct LotkaVolterra: Simulator {
    /// Every 21st of sbibm's outputs at spacing 0.1.
    public static let observationTimes = (0..<10).map { 2.1 * Double($0) }
    public static let noiseStd = 0.1

    public let name = "lotka_volterra"
    public let parameterNames = ["alpha", "beta", "gamma", "delta"]
    public let observationDimension = 20
    /// α, γ ~ LogNormal(−0.125, 0.5); β, δ ~ LogNormal(−3, 0.5).
    public let prior = Prior.constant(.logNormal(mu: [-0.125, -3, -0.125, -3],
                                                 sigma: [0.5, 0.5, 0.5, 0.5]))

    public init() {}

    public func simulate(_ theta: [Double], _ rng: inout RandomStream) -> [Double] {
        guard theta.count == 4, let states = solve(theta) else { return invalidObservation }
        // sbibm clips before the noise: wild prior draws reach 1e−30 or 1e6.
        let prey = states.map { min(max($0[0], 1e-10), 1e4) }
        let predators = states.map { min(max($0[1], 1e-10), 1e4) }
        return (prey + predators).map { $0 * exp(Self.noiseStd * rng.normal()) }
    }

    /// (prey, predators) at `observationTimes`, or nil when the solve fails (sbibm then
    /// reports NaN). The default tolerance is sbibm's rtol = atol = 1e−8.
    public func solve(_ theta: [Double], tolerance: Double = 1e-8) -> [[Double]]? {
        guard theta.count == 4 else { return nil }
        let (alpha, beta, gamma, delta) = (theta[0], theta[1], theta[2], theta[3])
        let solver = DormandPrince(relativeTolerance: tolerance, absoluteTolerance: tolerance)
        let states = solver.solve(from: 0, initial: [30, 1, 0, 0], dimension: 2,
                                  times: Self.observationTimes) { _, y in
            let encounters = y[0] * y[1]
            return [alpha * y[0] - beta * encounters, -gamma * y[1] + delta * encounters, 0, 0]
        }
        return states?.map { [$0[0], $0[1]] }
    }
}
