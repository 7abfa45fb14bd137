import Random
import Simulators
import XCTest

final class SimulatorRegistryTests: XCTestCase {
    /// (name, dim θ, dim x) from shared/docs/tasks.md, plus Hodgkin–Huxley.
    static let expected: [(String, Int, Int)] = [
        ("two_moons", 2, 2), ("gaussian_linear", 10, 10), ("gaussian_linear_uniform", 10, 10),
        ("gaussian_mixture", 2, 2), ("slcp", 5, 8), ("slcp_distractors", 5, 100),
        ("bernoulli_glm", 10, 10), ("bernoulli_glm_raw", 10, 100), ("sir", 2, 10),
        ("lotka_volterra", 4, 20), ("hodgkin_huxley", 7, 8),
    ]

    func testNamesAndShapes() throws {
        XCTAssertEqual(Simulators.names, Self.expected.map(\.0))
        for (name, parameters, data) in Self.expected {
            let simulator = try Simulators.named(name)
            XCTAssertEqual(simulator.name, name)
            XCTAssertEqual(simulator.parameterDimension, parameters, name)
            XCTAssertEqual(simulator.prior.dimension, parameters, name)
            XCTAssertEqual(simulator.observationDimension, data, name)
        }
    }

    func testUnknownNameListsValidNames() {
        XCTAssertThrowsError(try Simulators.named("two_moon")) { error in
            XCTAssertEqual("\(error)", "unknown simulator \"two_moon\"; valid names: "
                           + Simulators.names.joined(separator: ", "))
        }
    }

    /// Prior draws lie in the support, simulations have the right length, and a θ of the
    /// wrong length gives NaN instead of a crash.
    func testEverySimulatorRuns() throws {
        for name in Simulators.names {
            let simulator = try Simulators.named(name)
            var rng = RandomStream(seed: 5, stream: "test")
            for _ in 0..<3 {
                let theta = simulator.samplePrior(&rng)
                XCTAssertEqual(theta.count, simulator.parameterDimension, name)
                XCTAssert(simulator.priorLogDensity(theta).isFinite, name)
                let x = simulator.simulate(theta, &rng)
                XCTAssertEqual(x.count, simulator.observationDimension, name)
                XCTAssert(x.allSatisfy(\.isFinite), "\(name): \(x)")
            }
            for wrong in [[], [Double](repeating: 0.5, count: simulator.parameterDimension + 1)] {
                let x = simulator.simulate(wrong, &rng)
                XCTAssertEqual(x.count, simulator.observationDimension, name)
                XCTAssert(x.allSatisfy(\.isNaN), name)
            }
        }
    }
}
