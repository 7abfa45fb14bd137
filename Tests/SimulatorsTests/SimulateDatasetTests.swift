import Datasets
import Random
import Simulators
import XCTest

final class SimulateDatasetTests: XCTestCase {
    func testSameDatasetForAnyThreadCount() throws {
        for name in ["two_moons", "sir"] {
            let simulator = try Simulators.named(name)
            let one = simulateDataset(simulator, count: 300, seed: 42, threads: 1)
            for threads in [2, 3, 8] {
                let many = simulateDataset(simulator, count: 300, seed: 42, threads: threads)
                XCTAssertEqual(one.theta, many.theta, "\(name), \(threads) threads")
                XCTAssertEqual(one.y, many.y, "\(name), \(threads) threads")
            }
            XCTAssertEqual([one.theta.rows, one.theta.columns], [300, simulator.parameterDimension])
            XCTAssertEqual([one.y.rows, one.y.columns], [300, simulator.observationDimension])
        }
    }

    /// Row i depends on i and the seed only: a longer dataset extends a shorter one.
    func testRowsDependOnIndexOnly() throws {
        let simulator = try Simulators.named("slcp")
        let short = simulateDataset(simulator, count: 70, seed: 3)
        let long = simulateDataset(simulator, count: 200, seed: 3)
        XCTAssertEqual(short.y.values, Array(long.y.values.prefix(70 * 8)))
        let other = simulateDataset(simulator, count: 70, seed: 4)
        XCTAssertNotEqual(short.theta, other.theta)
    }

    func testEmptyAndDegenerateRequests() throws {
        let simulator = try Simulators.named("two_moons")
        let empty = simulateDataset(simulator, count: 0, seed: 1)
        XCTAssertEqual(empty.theta.rows, 0)
        XCTAssertEqual(simulateDataset(simulator, count: -5, seed: 1, threads: 0).y.rows, 0)
        XCTAssertEqual(simulateDataset(simulator, count: 5, seed: 1, threads: -2).y.rows, 5)
    }

    func testRemovingFailedSimulations() throws {
        let theta = try Matrix(rows: 3, columns: 1, values: [1, 2, 3])
        let y = try Matrix(rows: 3, columns: 2, values: [0, 1, .nan, .nan, 4, .infinity])
        let kept = removingFailedSimulations(theta: theta, y: y)
        XCTAssertEqual(kept.theta.values, [1])
        XCTAssertEqual(kept.y.values, [0, 1])
    }
}
