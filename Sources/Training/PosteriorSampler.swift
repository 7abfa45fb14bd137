import Datasets
import Interpreter
import IR
import Random

/// Draws posterior samples from a trained model: the observation is scaled like the training
/// data, every variable on the sampling path is drawn by reparameterization (noise from the
/// seed's "sample" stream), and θ is returned in its original units.
public final class PosteriorSampler {
    public let model: TrainedModel
    private let program: Executable
    private let parameters: ParameterStore<Float>
    private let batch: Int
    private let given: String, target: String
    private let noiseInputs: [String]

    public init(_ model: TrainedModel, backend: BackendCompiler) throws {
        let interface = try GraphInterface(model.graph)
        batch = try interface.samplingBatch(of: model.graph)
        for (name, scaler, columns) in [("θ", model.thetaScaler, interface.targetSize), ("y", model.yScaler, interface.givenSize)] {
            if let problem = scaler.problem(columns: columns) { throw TrainingError("the \(name) scaler: \(problem)") }
        }
        let sample = model.graph.program("sample")!
        self.model = model
        given = interface.given
        target = interface.target
        parameters = ParameterStore<Float>(model.graph)
        for (name, values) in model.weights {
            guard let parameter = model.graph.parameter(name) else { throw TrainingError("weight \(name) is not in the graph") }
            guard parameter.shape.count == values.count else {
                throw TrainingError("weight \(name) has \(values.count) values; the graph's \(parameter.shape) holds \(parameter.shape.count)")
            }
            parameters[name] = values
        }
        noiseInputs = sample.inputs.map(\.name).filter { $0.hasPrefix("noise.") }
        program = try backend(sample, parameters)
    }

    public var observationDimension: Int { model.yScaler.shift.count }
    public var parameterDimension: Int { model.thetaScaler.shift.count }

    /// `count` samples for each row of `observations`. The sample program takes one
    /// observation and draws a batch of samples of it per run; the last run of each
    /// observation keeps the samples it needs.
    public func sample(_ observations: Matrix, count: Int, seed: UInt64) throws -> [Matrix] {
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
        let (yIn, noiseIn) = (program.input(given), noiseInputs.map(program.input))
        let d = parameterDimension, m = observationDimension
        var results = (0..<observations.rows).map { _ in Matrix(rows: count, columns: d) }
        for observation in 0..<observations.rows {
            for j in 0..<m { yIn[j] = scaled[observation * m + j] }
            var first = 0
            while first < count {
                let n = min(batch, count - first)
                for b in noiseIn { noise.fillNormal(b) }
                program.run()
                let theta = model.thetaScaler.invert(program.output(target), columns: d)
                // A diverged model, or θ scaled by its logarithm and drawn far out, gives NaN or
                // ±∞; those are not samples, and nothing downstream should receive them.
                if let i = theta.prefix(n * d).firstIndex(where: { !$0.isFinite }) {
                    throw TrainingError("the model drew θ = \(theta[i]) for observation \(observation + 1): "
                        + "it diverged, or cannot represent this observation")
                }
                for i in 0..<(n * d) { results[observation].values[first * d + i] = theta[i] }
                first += n
            }
        }
        return results
    }
}
