import Datasets
import Dispatch
import Foundation
import IR
import Random
import Runtime

/// The samples of one observation, and the draws it took to get them: more than the samples
/// where draws outside a support were rejected.
public struct PosteriorSamples {
    public let samples: Matrix
    public let draws: Int

    /// The fraction of draws kept.
    public var acceptance: Double { Double(samples.rows) / Double(draws) }
}

/// Draws posterior samples from a trained model: the observation is scaled like the training
/// data, every variable on the sampling path is drawn by reparameterization (noise from the
/// seed's "sample" stream), and θ is returned in its original units.
public final class PosteriorSampler {
    /// Rejection gives up after this many draws per sample asked for: a model that puts less
    /// than 0.1 % of its mass inside the support is not worth the wait.
    public static let maximumDrawsPerSample = 1000

    public let model: TrainedModel
    /// One copy of the sample program per thread, each with its own memory (the JIT's copies
    /// share their code).
    private let programs: [Executable]
    /// Threads that run the sample program at once; the batches they run are the ones one thread
    /// would run, in the same order, so the samples do not depend on it.
    public var threads: Int { programs.count }
    private let parameters: ParameterStore<Float>
    private let batch: Int
    private let given: String, target: String
    /// The noise inputs, in program order, and the distribution each is drawn from.
    private let noiseInputs: [(name: String, distribution: NoiseDistribution)]

    /// `threads`: copies of the sample program run at once (nil: one per core).
    public init(_ model: TrainedModel, backend: BackendCompiler, threads: Int? = nil) throws {
        let interface = try GraphInterface(model.graph)
        batch = try interface.samplingBatch(of: model.graph)
        let sample = model.graph.program(Interface.Programs.sample)!
        self.model = model
        given = interface.given
        target = interface.target
        parameters = try model.parameterStore(interface)
        noiseInputs = sample.noiseInputs
        let copies = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let store = parameters
        programs = try (0..<copies).map { _ in try backend([sample], store)[0] }
    }

    public var observationDimension: Int { model.yScaler.shift.count }
    public var parameterDimension: Int { model.thetaScaler.shift.count }

    /// `count` samples for each row of `observations`. The sample program takes one
    /// observation and draws a batch of samples of it per run; the last run of each
    /// observation keeps the samples it needs. With a `support`, draws of θ outside it are
    /// rejected and drawing goes on until `count` lie inside: a Gaussian decoder puts mass
    /// beyond a bounded prior, where the true posterior has none (sbi rejects such draws too).
    public func sample(_ observations: Matrix, count: Int, seed: UInt64,
                       within support: ((ArraySlice<Double>) -> Bool)? = nil) throws -> [PosteriorSamples] {
        guard observations.columns == observationDimension else {
            throw TrainingError("the observation has \(observations.columns) values; the model expects \(observationDimension)")
        }
        guard observations.values.allSatisfy(\.isFinite) else { throw TrainingError("the observation holds NaN or ±∞") }
        if let (r, c) = model.yScaler.kind.firstUnscalable(in: observations) {
            throw TrainingError("observation \(r + 1), value \(c + 1) is \(observations[r, c]): the model scales y by "
                + "\(model.yScaler.kind.rawValue), which needs positive values")
        }
        guard count > 0 else { throw TrainingError("the number of samples must be positive, not \(count)") }
        // The samples are held in memory as doubles.
        let values = saturatingMultiply(saturatingMultiply(observations.rows, count), parameterDimension)
        try MemoryBudget.require(saturatingMultiply(values, MemoryLayout<Double>.stride),
                                 for: "drawing \(count) samples for each of \(observations.rows) observation(s)")
        let scaled = model.yScaler.apply(observations)
        var noise = RandomStream(seed: seed, stream: "sample")
        let d = parameterDimension, m = observationDimension
        let maximumDraws = saturatingMultiply(count, Self.maximumDrawsPerSample)
        // Runs that one observation needs at least: more copies than that would idle.
        let useful = programs.prefix(max(1, min(programs.count, (count + batch - 1) / batch)))
        var results: [PosteriorSamples] = []
        for observation in 0..<observations.rows {
            for program in useful {
                let yIn = program.input(given)
                for j in 0..<m { yIn[j] = scaled[observation * m + j] }
            }
            var samples = Matrix(rows: count, columns: d)
            var kept = 0, draws = 0
            // Rounds of one run per copy: the noise of each run is drawn in order, the runs go in
            // parallel, and their draws are taken in order until enough are kept; the noise
            // stream then continues after the last run taken, as if the runs had been one by one.
            var round: [(program: Executable, after: RandomStream)] = []
            var next = 0
            while kept < count {
                if draws >= maximumDraws {
                    throw TrainingError("observation \(observation + 1): only \(kept) of \(draws) draws of θ lay inside "
                        + "the support; the model puts almost all its mass outside it")
                }
                if next == round.count {
                    round = []
                    var lookahead = noise
                    for program in useful {
                        for input in noiseInputs { lookahead.fill(program.input(input.name), input.distribution) }
                        round.append((program, lookahead))
                    }
                    let runs = round.map(\.program)
                    if runs.count == 1 { runs[0].run() } else { DispatchQueue.concurrentPerform(iterations: runs.count) { runs[$0].run() } }
                    next = 0
                }
                let program = round[next].program
                noise = round[next].after
                next += 1
                let theta = model.thetaScaler.invert(program.output(target), columns: d)
                // The rows this run gives: the first that are needed or, with a support, those
                // inside it until there are enough.
                var inside: [Int] = []
                var examined = 0
                while examined < batch && kept + inside.count < count {
                    if support?(theta[(examined * d)..<((examined + 1) * d)]) ?? true { inside.append(examined) }
                    examined += 1
                }
                draws += examined
                // A diverged model, or θ scaled by its logarithm and drawn far out, gives NaN or
                // ±∞; those are not samples, and nothing downstream should receive them.
                if let i = theta.prefix(examined * d).firstIndex(where: { !$0.isFinite }) {
                    throw TrainingError("the model drew θ = \(theta[i]) for observation \(observation + 1): "
                        + "it diverged, or cannot represent this observation")
                }
                for row in inside {
                    for j in 0..<d { samples.values[kept * d + j] = theta[row * d + j] }
                    kept += 1
                }
            }
            results.append(PosteriorSamples(samples: samples, draws: draws))
        }
        return results
    }
}

extension TrainedModel {
    /// The weights in a store the back ends bind, after checking the scalers against the
    /// graph's sizes and each weight against its parameter: what every program of a trained
    /// model runs with.
    func parameterStore(_ interface: GraphInterface) throws -> ParameterStore<Float> {
        for (name, scaler, columns) in [("θ", thetaScaler, interface.targetSize), ("y", yScaler, interface.givenSize)] {
            if let problem = scaler.problem(columns: columns) { throw TrainingError("the \(name) scaler: \(problem)") }
        }
        let parameters = ParameterStore<Float>(graph)
        for (name, values) in weights {
            guard let parameter = graph.parameter(name) else { throw TrainingError("weight \(name) is not in the graph") }
            guard parameter.shape.count == values.count else {
                throw TrainingError("weight \(name) has \(values.count) values; the graph's \(parameter.shape) holds \(parameter.shape.count)")
            }
            parameters[name] = values
        }
        return parameters
    }
}
