import Foundation
import IR
import Passes
import Spec
import TestSupport
import XCTest

/// The mixture-density spec of specs/beyond asks for one uniform draw and one normal draw per
/// sample, the noise its family declares; SpecParityTests.testEveryBeyondSpec runs its programs
/// on both back ends.
final class MixtureParityTests: XCTestCase {
    func testMixtureSampleTakesAUniformAndANormalNoise() throws {
        let url = repository.appendingPathComponent("specs/beyond/two_moons_mdn.json")
        let (graph, _) = try Compiler().compile(try ModelSpec.load(path: url.path))
        XCTAssertEqual(graph.program("sample")!.inputs.map(\.name), ["y", "noise.theta.uniform", "noise.theta"])
    }
}
