import Datasets
import Foundation
import IR
import Random
import Runtime

/// log q(θ | y) of a trained model, in the units of its data: the density of what
/// `PosteriorSampler` draws.
///
/// The graph's `log_density` program gives one log importance weight per row of θ and y
/// (`Lowering.logDensity`). Where the sampling path has no latent variable (an NPE with a
/// Gaussian, a mixture or a flow) that weight is log q(θ | y) itself: one run per row, exact.
/// Otherwise it is log p(θ, z | y) − log q(z | y, θ) at z drawn from the encoder, and the
/// estimate is the IWAE bound log (1/K) Σ_k w_k over K draws: below log q(θ | y) in
/// expectation (Jensen), by less as K grows, and equal to it as K → ∞.
///
/// The program works on scaled θ; each row gains the log-Jacobian of θ's scaling
/// (`Scaler.logJacobian`), so that the densities integrate to 1 over θ in the user's units.
public final class PosteriorDensity {
    public let model: TrainedModel
    private let program: Executable
    private let parameters: ParameterStore<Float>
    private let batch: Int
    private let given: String, target: String
    private let noiseInputs: [(name: String, distribution: NoiseDistribution)]

    public init(_ model: TrainedModel, backend: BackendCompiler) throws {
        let interface = try GraphInterface(model.graph)
        guard let density = model.graph.program(Interface.Programs.logDensity) else {
            throw TrainingError("the model's graph has no \(Interface.Programs.logDensity) program: it was compiled by an sbic "
                + "without densities, or its sampling path has no proposal for a latent variable (docs/training.md); "
                + "compile its spec again and train it")
        }
        batch = try interface.densityBatch(of: model.graph)
        self.model = model
        given = interface.given
        target = interface.target
        parameters = try model.parameterStore(interface)
        noiseInputs = density.noiseInputs
        program = try backend([density], parameters)[0]
    }

    /// Whether `logDensity` is exact: the program reads no noise, so its one weight per row is
    /// log q(θ | y) itself. Otherwise it is an IWAE lower bound.
    public var isExact: Bool { noiseInputs.isEmpty }

    public var observationDimension: Int { model.yScaler.shift.count }
    public var parameterDimension: Int { model.thetaScaler.shift.count }

    /// log q(θ | y) for each row of `theta`, given the matching row of `observations` (or its
    /// one row for every θ): exact, or the IWAE estimate over `samples` draws of the latent
    /// variables per row, drawn from `seed`'s "log_density" stream. A θ outside what the
    /// model can draw (a log-scaled θ ≤ 0) has density 0: −∞.
    public func logDensity(of theta: Matrix, given observations: Matrix, samples: Int, seed: UInt64) throws -> [Double] {
        let d = parameterDimension, m = observationDimension
        guard theta.columns == d else { throw TrainingError("θ has \(theta.columns) values; the model expects \(d)") }
        guard observations.columns == m else {
            throw TrainingError("the observation has \(observations.columns) values; the model expects \(m)")
        }
        guard observations.rows == 1 || observations.rows == theta.rows else {
            throw TrainingError("\(observations.rows) observations for \(theta.rows) rows of θ: give one, or one per row")
        }
        if let i = theta.values.firstIndex(where: { !$0.isFinite }) {
            throw TrainingError("θ row \(i / d + 1), value \(i % d + 1) is \(theta.values[i]): θ must be finite")
        }
        if let i = observations.values.firstIndex(where: { !$0.isFinite }) {
            throw TrainingError("observation \(i / m + 1), value \(i % m + 1) is \(observations.values[i]): an observation must be finite")
        }
        if let (r, c) = model.yScaler.kind.firstUnscalable(in: observations) {
            throw TrainingError("observation \(r + 1), value \(c + 1) is \(observations[r, c]): the model scales y by "
                + "\(model.yScaler.kind.rawValue), which needs positive values")
        }
        guard samples > 0 else { throw TrainingError("the number of samples must be positive, not \(samples)") }
        let draws = isExact ? 1 : samples
        let jacobians = (0..<theta.rows).map { model.thetaScaler.logJacobian(at: theta.rowArray($0)) }
        // Rows outside the support are not run: their scaled values would be NaN.
        var inside = theta
        for r in 0..<theta.rows where jacobians[r] == -.infinity {
            for c in 0..<d { inside[r, c] = 1 }
        }
        let scaledTheta = model.thetaScaler.apply(inside), scaledY = model.yScaler.apply(observations)
        let (thetaIn, yIn) = (program.input(target), program.input(given))
        let noiseIn = noiseInputs.map { (program.input($0.name), $0.distribution) }
        var noise = RandomStream(seed: seed, stream: "log_density")
        // A running log-sum-exp of each row's weights: the largest so far, and Σ exp(w − largest).
        var largest = [Double](repeating: -.infinity, count: theta.rows)
        var sums = [Double](repeating: 0, count: theta.rows)
        let total = saturatingMultiply(theta.rows, draws)
        var start = 0
        while start < total {
            let count = min(batch, total - start)
            // Rows past `count` in the last run repeat its last evaluation; their weights are not read.
            for slot in 0..<batch {
                let row = (start + min(slot, count - 1)) / draws
                let yRow = observations.rows == 1 ? 0 : row
                for j in 0..<d { thetaIn[slot * d + j] = scaledTheta[row * d + j] }
                for j in 0..<m { yIn[slot * m + j] = scaledY[yRow * m + j] }
            }
            for (buffer, distribution) in noiseIn { noise.fill(buffer, distribution) }
            program.run()
            let weights = program.output(Interface.Outputs.logDensity)
            for slot in 0..<count {
                let row = (start + slot) / draws
                let w = Double(weights[slot])
                guard !w.isNaN else {
                    throw TrainingError("the model's log density is NaN for θ row \(row + 1): it diverged, or cannot represent this θ")
                }
                if w > largest[row] {
                    sums[row] = sums[row] * Foundation.exp(largest[row] - w) + 1
                    largest[row] = w
                } else if w > -.infinity {
                    sums[row] += Foundation.exp(w - largest[row])
                }
            }
            start += count
        }
        return (0..<theta.rows).map { r in
            guard jacobians[r] > -.infinity, largest[r] > -.infinity else { return -.infinity }
            return largest[r] + Foundation.log(sums[r] / Double(draws)) + jacobians[r]
        }
    }
}
