import Foundation
import Interpreter
import IR
import JIT
import Passes
import Runtime
import Spec
import TestSupport
import XCTest

/// Every program of every spec in specs/ and specs/beyond/ gives the same results compiled by the JIT as
/// interpreted: outputs, gradients, and after several training steps the weights and the
/// optimizer's state.
final class SpecParityTests: XCTestCase {

    static func specFiles(_ folder: String = "specs") throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: repository.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" && $0.lastPathComponent != "schema.json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testEverySpec() throws {
        let specs = try Self.specFiles()
        XCTAssertEqual(specs.count, 22)
        for url in specs {
            try Self.checkSpec(url)
        }
    }

    /// Beyond the paper: log-scaled y, and the mixture family (its component chosen by `less`
    /// against a uniform draw, its softmax by `logsumexp`).
    func testEveryBeyondSpec() throws {
        let specs = try Self.specFiles("specs/beyond")
        XCTAssertFalse(specs.isEmpty)
        for url in specs {
            try Self.checkSpec(url)
        }
    }

    static func checkSpec(_ url: URL) throws {
        let name = url.deletingPathExtension().lastPathComponent
        let (graph, _) = try Compiler().compile(try ModelSpec.load(path: url.path, tasks: builtInTasks))
        var random = TestRandom(seed: 1)
        let jitStore = ParameterStore<Float>(graph), referenceStore = ParameterStore<Float>(graph)
        jitStore.initialize { random.normal() }
        referenceStore.copy(from: jitStore)
        let compiled = try JIT.compile(graph, parameters: jitStore)
        XCTAssertNotNil(graph.program(Interface.Programs.logDensity), "\(name) has a log_density program, compared below")

        for program in graph.programs where program.name != "train_step" {
            let inputs = randomInputs(program, &random)
            let got = execute(compiled[program.name]!, inputs)
            let want = execute(try InterpretedProgram(program, parameters: referenceStore), inputs)
            for (output, expected) in want {
                assertClose(got[output]!, expected, tolerance: 1e-4, "\(name) \(program.name) \(output)")
            }
        }

        // Each step starts both back ends from the same weights and moments (the JIT's), so
        // that what is compared is one step, not the drift of several.
        let program = graph.program("train_step")!
        let interpreter = try InterpretedProgram(program, parameters: referenceStore)
        for step in 1...3 {
            referenceStore.copy(from: jitStore)
            let inputs = randomInputs(program, &random)
            let got = execute(compiled["train_step"]!, inputs), want = execute(interpreter, inputs)
            for (output, expected) in want {
                assertClose(got[output]!, expected, tolerance: 1e-4, "\(name) train_step \(step) \(output)")
            }
            for p in graph.parameters {
                assertUpdateClose(jitStore[p.name], referenceStore[p.name], learningRate: inputs["adamw.learning_rate"]![0],
                                  "\(name) step \(step) \(p.name)")
            }
        }
    }
}
