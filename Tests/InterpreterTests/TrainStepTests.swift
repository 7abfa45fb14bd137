import Runtime
import XCTest
import IR
import Interpreter
import Passes
import Random
import Spec

/// On a fixed batch, weights and noise, the compiled float32 `train_step` gives the loss,
/// gradients and updated weights of an independent float64 computation of the loss and AdamW.
final class TrainStepTests: XCTestCase {
    static let conditionalPrior = """
        { "name": "small_cpvae", "variables": { "theta": 2, "y": 3, "z": 2 },
          "networks": {
            "encoder": { "inputs": ["y", "theta"], "hidden": [8, 8], "output": { "z": "gaussian" } },
            "prior":   { "inputs": ["y"], "hidden": [8], "output": { "z": "gaussian" }, "activation": "tanh" },
            "decoder": { "inputs": ["y", "z"], "hidden": [8, 8], "output": { "theta": "gaussian" } } },
          "log_variance_range": [-1.5, 1.5],
          "loss": [ { "kl": ["encoder", "prior"] }, { "nll": "decoder" } ],
          "sample": { "given": "y", "path": ["prior", "decoder"], "target": "theta", "batch_size": 5 },
          "training": { "batch_size": 6, "clip_norm": 0.5 } }
        """
    static let unconditionalPrior = """
        { "name": "small_upvae", "variables": { "theta": 2, "y": 3, "z": 2 },
          "networks": {
            "encoder": { "inputs": ["y", "theta"], "hidden": [8], "output": { "z": "gaussian" } },
            "prior":   { "inputs": [], "output": { "z": "standard_normal" } },
            "decoder": { "inputs": ["y", "z"], "hidden": [8, 8], "output": { "theta": "gaussian" } },
            "data_decoder": { "inputs": ["z"], "hidden": [8], "output": { "y": "gaussian" }, "activation": "sigmoid" } },
          "loss": [ { "kl": ["encoder", "prior"], "weight": 0.4 }, { "nll": "decoder", "weight": 0.4 },
                    { "nll": "data_decoder", "weight": 0.2 } ],
          "sample": { "given": "y", "path": ["prior", "decoder"], "target": "theta", "batch_size": 5 },
          "training": { "batch_size": 4, "learning_rate": 0.01, "weight_decay": 0.1 } }
        """
    /// Two stacked latents, in neither of the paper's tables: q(z1 | y, θ), q(z2 | z1),
    /// p(z2 | y), p(z1 | y, z2), p(θ | y, z1).
    static let hierarchical = """
        { "name": "two_latents", "variables": { "theta": 2, "y": 2, "z1": 3, "z2": 2 },
          "networks": {
            "encoder1": { "inputs": ["y", "theta"], "hidden": [8], "output": { "z1": "gaussian" } },
            "encoder2": { "inputs": ["z1"], "hidden": [8], "output": { "z2": "gaussian" }, "activation": "relu" },
            "prior2":   { "inputs": ["y"], "hidden": [8], "output": { "z2": "gaussian" } },
            "prior1":   { "inputs": ["y", "z2"], "hidden": [8], "output": { "z1": "gaussian" } },
            "decoder":  { "inputs": ["y", "z1"], "hidden": [8], "output": { "theta": "gaussian" } } },
          "loss": [ { "kl": ["encoder1", "prior1"] }, { "kl": ["encoder2", "prior2"] }, { "nll": "decoder" } ],
          "sample": { "given": "y", "path": ["prior2", "prior1", "decoder"], "target": "theta", "batch_size": 5 },
          "training": { "batch_size": 5 } }
        """

    func testConditionalPrior() throws { try check(Self.conditionalPrior) }
    func testUnconditionalPrior() throws { try check(Self.unconditionalPrior) }
    func testTwoStackedLatents() throws { try check(Self.hierarchical) }

    /// The sample program evaluates what depends on the observation alone once and broadcasts
    /// it; every sample must still be the float64 reference's, run row by row.
    func testSamplesMatchTheReference() throws {
        for json in [Self.conditionalPrior, Self.unconditionalPrior, Self.hierarchical] {
            var rng = RandomStream(seed: 11, stream: "test")
            let (spec, graph, store, reference) = try compiledWithRandomWeights(json, rng: &rng)
            let sample = try InterpretedProgram(graph.program("sample")!, parameters: store)
            var inputs: [String: [Float]] = [:]
            for (name, shape) in sample.program.inputs { inputs[name] = (0..<shape.count).map { _ in Float(rng.normal()) } }
            let got = sample.run(inputs)[spec.sampling.target]!
            // The sampler writes the observation once and runs the program again and again.
            let noiseOnly = inputs.filter { $0.key != spec.sampling.given }
            XCTAssertEqual(sample.run(noiseOnly)[spec.sampling.target]!, got, "\(spec.name): a second run, the observation not rewritten")

            let noise = Dictionary(uniqueKeysWithValues: sample.program.inputs.filter { $0.name.hasPrefix("noise.") }.map {
                (name, shape) -> (String, Reference.Rows) in
                let values = inputs[name]!.map(Double.init), width = shape.dims[1]
                return (String(name.dropFirst("noise.".count)),
                        stride(from: 0, to: values.count, by: width).map { Array(values[$0..<($0 + width)]) })
            })
            let expected = reference.sample(observation: inputs[spec.sampling.given]!.map(Double.init), noise: noise).joined()
            XCTAssertEqual(sample.program.inputs.first { $0.name == spec.sampling.given }?.shape.dims[0], 1, spec.name)
            XCTAssertEqual(got.count, expected.count, spec.name)
            for (k, (g, e)) in zip(got, expected).enumerated() {
                XCTAssertEqual(Double(g), e, accuracy: 1e-5 * max(1, abs(e)), "\(spec.name) sample value \(k)")
            }
        }
    }

    /// The spec compiled, every weight drawn from N(0, 0.25) (biases too, so that every gradient
    /// is exercised), and the float64 reference holding the same weights.
    private func compiledWithRandomWeights(_ json: String, rng: inout RandomStream) throws
        -> (spec: ModelSpec, graph: Graph, store: ParameterStore<Float>, reference: Reference) {
        let spec = try ModelSpec.parse(json)
        let (graph, _) = try Compiler().compile(spec)
        let store = ParameterStore<Float>(graph)
        var reference = Reference(spec: spec, weights: [:])
        for p in graph.parameters where p.kind == .weight {
            store[p.name] = (0..<p.shape.count).map { _ in Float(0.5 * rng.normal()) }
            reference.weights[p.name] = store[p.name].map(Double.init)
        }
        return (spec, graph, store, reference)
    }

    func check(_ json: String, file: StaticString = #filePath, line: UInt = #line) throws {
        var rng = RandomStream(seed: 7, stream: "test")
        let (spec, graph, store, reference) = try compiledWithRandomWeights(json, rng: &rng)
        let gradients = try InterpretedProgram(graph.program("gradients")!, parameters: store)
        var inputs: [String: [Float]] = [:]
        for (name, shape) in gradients.program.inputs { inputs[name] = (0..<shape.count).map { _ in Float(rng.normal()) } }
        let outputs = gradients.run(inputs)

        let rows = { (name: String) -> Reference.Rows in
            let shape = gradients.program.inputs.first { $0.name == name }!.shape
            return (0..<shape.dims[0]).map { r in (0..<shape.dims[1]).map { Double(inputs[name]![r * shape.dims[1] + $0]) } }
        }
        let data = [spec.sampling.given: rows(spec.sampling.given), spec.sampling.target: rows(spec.sampling.target)]
        let noise = Dictionary(uniqueKeysWithValues: spec.latentVariables.map { ($0.name, rows(Interface.Inputs.noise($0.name))) })

        let expectedLoss = reference.loss(data: data, noise: noise)
        XCTAssertEqual(Double(outputs["loss"]![0]), expectedLoss, accuracy: 1e-5 * max(1, abs(expectedLoss)), "loss", file: file, line: line)

        let expectedGradients = reference.gradients(data: data, noise: noise)
        let scale = max(1, expectedGradients.values.joined().map(abs).max()!)
        for (name, expected) in expectedGradients {
            for (k, (got, want)) in zip(outputs["grad." + name]!, expected).enumerated() {
                XCTAssertEqual(Double(got), want, accuracy: 2e-5 * scale, "d loss / d \(name)[\(k)]", file: file, line: line)
            }
        }

        // One AdamW step, checked against the reference optimizer fed the same gradients.
        let step = try InterpretedProgram(graph.program("train_step")!, parameters: store)
        var stepInputs = inputs
        stepInputs["adamw.learning_rate"] = [Float(spec.training.learningRate)]
        let computed = outputs.filter { $0.key.hasPrefix("grad.") }
            .reduce(into: [String: [Double]]()) { $0[String($1.key.dropFirst(5))] = $1.value.map(Double.init) }
        let (expectedWeights, expectedNorm) = Reference.adamw(reference.weights, computed, training: spec.training,
                                                              learningRate: spec.training.learningRate)
        let stepOutputs = step.run(stepInputs)
        XCTAssertEqual(Double(stepOutputs["loss"]![0]), expectedLoss, accuracy: 1e-5 * max(1, abs(expectedLoss)), file: file, line: line)
        XCTAssertEqual(Double(stepOutputs["grad_norm"]![0]), expectedNorm, accuracy: 1e-5 * expectedNorm, "gradient norm", file: file, line: line)
        XCTAssertGreaterThan(expectedNorm, spec.training.clipNorm / 10, "the batch should exercise clipping or come close", file: file, line: line)
        for (name, expected) in expectedWeights {
            for (k, (got, want)) in zip(store[name], expected).enumerated() {
                XCTAssertEqual(Double(got), want, accuracy: 1e-6 * max(1, abs(want)), "updated \(name)[\(k)]", file: file, line: line)
            }
        }
        XCTAssertEqual(store["adamw.step"], [1], file: file, line: line)
    }
}
