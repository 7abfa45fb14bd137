import Foundation
import Interpreter
import IR
import JIT
import Passes
import Runtime
import Spec
import TestSupport
import XCTest

/// The bounded specs of specs/beyond sample inside their prior's box on both back ends, also
/// with weights large enough that the sigmoid saturates and many samples sit on a face.
final class BoundedSamplingTests: XCTestCase {
    func testSamplesLieInThePriorsBoxOnBothBackEnds() throws {
        for (name, interval) in [("gaussian_linear_uniform_cpvae_bounded", -1.0...1.0), ("slcp_cpvae_bounded", -3.0...3.0)] {
            let spec = try ModelSpec.load(path: repository.appendingPathComponent("specs/beyond/\(name).json").path, tasks: builtInTasks)
            let box = try XCTUnwrap(spec.network("decoder")?.bounds)
            XCTAssertEqual(box, Box(interval, size: spec.variable("theta")!.size))
            let (graph, _) = try Compiler().compile(spec)
            let program = try XCTUnwrap(graph.program("sample"))
            for scale in [0.1, 3.0] {
                var random = TestRandom(seed: 51)
                let jitStore = ParameterStore<Float>(graph), referenceStore = ParameterStore<Float>(graph)
                jitStore.initialize { scale * random.normal() }
                referenceStore.copy(from: jitStore)
                let inputs = randomInputs(program, &random)
                let backEnds: [(String, Executable)] = [("jit", try JIT.compile(graph, parameters: jitStore)["sample"]!),
                                                        ("interpreter", try InterpretedProgram(program, parameters: referenceStore))]
                for (backEnd, executable) in backEnds {
                    let theta = try XCTUnwrap(execute(executable, inputs)["theta"])
                    let rows = theta.count / box.size
                    XCTAssertEqual(rows, spec.sampling.batchSize)
                    var onFace = 0
                    for r in 0..<rows {
                        let row = theta[r * box.size..<(r + 1) * box.size]
                        XCTAssertTrue(box.contains(row), "\(name) \(backEnd) weights × \(scale), row \(r): \(Array(row))")
                        onFace += row.filter { Double($0) == interval.lowerBound || Double($0) == interval.upperBound }.count
                    }
                    if scale > 1 { XCTAssertGreaterThan(onFace, 0, "\(name) \(backEnd): large weights saturate the sigmoid") }
                }
            }
        }
    }
}
