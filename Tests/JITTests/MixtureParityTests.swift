import Foundation
import Interpreter
import IR
import JIT
import Passes
import Runtime
import Spec
import TestSupport
import XCTest

/// The mixture-density spec of specs/beyond on both back ends: its samples (the choice of
/// component by `less`, the softmax by `logsumexp`), its loss, its gradients and a few
/// training steps agree.
final class MixtureParityTests: XCTestCase {
    func testMixtureSpecAgreesOnBothBackEnds() throws {
        let url = repository.appendingPathComponent("specs/beyond/two_moons_mdn.json")
        let (graph, _) = try Compiler().compile(try ModelSpec.load(path: url.path))
        var random = TestRandom(seed: 4)
        let jitStore = ParameterStore<Float>(graph), referenceStore = ParameterStore<Float>(graph)
        jitStore.initialize { random.normal() }
        referenceStore.copy(from: jitStore)
        let compiled = try JIT.compile(graph, parameters: jitStore)

        let sample = graph.program("sample")!
        XCTAssertEqual(sample.inputs.map(\.name), ["y", "noise.theta.uniform", "noise.theta"])
        for program in graph.programs where program.name != "train_step" {
            var inputs = randomInputs(program, &random)
            // The uniform draws as the sampler makes them: in [0, 1), on a 2⁻²⁴ grid.
            if let uniform = program.inputs.first(where: { NoiseDistribution(noiseInput: $0.name) == .uniform }) {
                inputs[uniform.name] = (0..<uniform.shape.count).map { _ in Float(Int(random.uniform() * 0x1p24)) * 0x1p-24 }
            }
            let got = execute(compiled[program.name]!, inputs)
            let want = execute(try InterpretedProgram(program, parameters: referenceStore), inputs)
            for (output, expected) in want {
                assertClose(got[output]!, expected, tolerance: 1e-4, "two_moons_mdn \(program.name) \(output)")
            }
        }

        let program = graph.program("train_step")!
        let interpreter = try InterpretedProgram(program, parameters: referenceStore)
        for step in 1...3 {
            referenceStore.copy(from: jitStore)
            let inputs = randomInputs(program, &random)
            let got = execute(compiled["train_step"]!, inputs), want = execute(interpreter, inputs)
            for (output, expected) in want {
                assertClose(got[output]!, expected, tolerance: 1e-4, "two_moons_mdn train_step \(step) \(output)")
            }
            for p in graph.parameters {
                assertUpdateClose(jitStore[p.name], referenceStore[p.name], learningRate: inputs["adamw.learning_rate"]![0],
                                  "two_moons_mdn step \(step) \(p.name)")
            }
        }
    }
}
