import IR
import JIT
import Passes
import Runtime
import Spec
import TestSupport
import XCTest

/// The programs a command runs are compiled in one call, sharing their kernels; each computes
/// bit for bit what it computes compiled alone, so training and sampling give the results
/// they gave when every program was compiled on its own.
final class SharedCompileTests: XCTestCase {
    func testProgramsCompiledTogetherMatchEachCompiledAlone() throws {
        for name in ["two_moons_cpvae", "slcp_upvae"] {
            let spec = try ModelSpec.load(path: repository.appendingPathComponent("specs/\(name).json").path)
            let graph = try Compiler().compile(spec).0
            var random = TestRandom(seed: 11)
            let together = ParameterStore<Float>(graph), alone = ParameterStore<Float>(graph)
            together.initialize { random.normal() }
            alone.copy(from: together)
            let programs = (Interface.Programs.training + [Interface.Programs.sample]).map { graph.program($0)! }
            let shared = try JIT.executables(programs, parameters: together)
            let separate = try programs.map { try JITProgram($0, parameters: alone) }
            for (a, b) in zip(shared, separate) {
                XCTAssertEqual(a.program.name, b.program.name)
                let inputs = randomInputs(a.program, &random)
                let (got, want) = (execute(a, inputs), execute(b, inputs))
                XCTAssertEqual(Set(got.keys), Set(want.keys))
                for (output, values) in want {
                    XCTAssertEqual(got[output]!.map(\.bitPattern), values.map(\.bitPattern), "\(name) \(a.program.name) \(output)")
                }
            }
            // train_step ran in both: the weights and the optimizer's state moved alike.
            for p in graph.parameters {
                XCTAssertEqual(together[p.name].map(\.bitPattern), alone[p.name].map(\.bitPattern), "\(name) \(p.name)")
            }
        }
    }
}
