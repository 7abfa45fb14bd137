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
        guard let sample = model.graph.program("sample"), let given = model.graph.metadata["given"],
              let target = model.graph.metadata["target"],
              let shape = sample.inputs.first(where: { $0.name == given })?.shape else {
            throw TrainingError("\(model.graph.name) has no sample program")
        }
        self.model = model
        self.given = given
        self.target = target
        batch = shape.dims[0]
        parameters = ParameterStore<Float>(model.graph)
        for (name, values) in model.weights { parameters[name] = values }
        noiseInputs = sample.inputs.map(\.name).filter { $0.hasPrefix("noise.") }
        program = try backend(sample, parameters)
    }

    public var observationDimension: Int { model.yScaler.shift.count }
    public var parameterDimension: Int { model.thetaScaler.shift.count }

    /// `count` samples for each row of `observations`, all observations sharing the batches.
    public func sample(_ observations: Matrix, count: Int, seed: UInt64) throws -> [Matrix] {
        guard observations.columns == observationDimension else {
            throw TrainingError("the observation has \(observations.columns) values; the model expects \(observationDimension)")
        }
        guard observations.values.allSatisfy(\.isFinite) else { throw TrainingError("the observation holds NaN or ±∞") }
        let scaled = model.yScaler.apply(observations)
        var noise = RandomStream(seed: seed, stream: "sample")
        let (yIn, noiseIn) = (program.input(given), noiseInputs.map(program.input))
        let d = parameterDimension, m = observationDimension
        var results = (0..<observations.rows).map { _ in Matrix(rows: count, columns: d) }
        let total = observations.rows * count
        var first = 0
        while first < total {
            let n = min(batch, total - first)
            for i in 0..<batch {
                let observation = (first + min(i, n - 1)) / count
                for j in 0..<m { yIn[i * m + j] = scaled[observation * m + j] }
            }
            for b in noiseIn { noise.fillNormal(b) }
            program.run()
            let theta = model.thetaScaler.invert(program.output(target), columns: d)
            for i in 0..<n {
                let (observation, row) = ((first + i) / count, (first + i) % count)
                for j in 0..<d { results[observation].values[row * d + j] = theta[i * d + j] }
            }
            first += n
        }
        return results
    }
}
