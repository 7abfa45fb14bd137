import Datasets
import Foundation
import Random
import Simulators
import XCTest

/// The stored observation x* and parameters θ* of sbibm observation `number`.
func reference(_ task: String, _ number: Int) throws -> (x: [Double], theta: [Double]) {
    (try SBIBM.observation(task: task, number: number).rowArray(0),
     try SBIBM.trueParameters(task: task, number: number).rowArray(0))
}

/// Mean and variance (dividing by n) of each column of `rows`.
func columnMoments(_ rows: [[Double]]) -> (mean: [Double], variance: [Double]) {
    let n = Double(rows.count)
    let d = rows.first?.count ?? 0
    var mean = [Double](repeating: 0, count: d)
    for row in rows { for j in 0..<d { mean[j] += row[j] / n } }
    var variance = [Double](repeating: 0, count: d)
    for row in rows { for j in 0..<d { variance[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n } }
    return (mean, variance)
}

/// `count` simulations at a fixed θ, from a fixed test stream.
func simulations(_ simulator: any Simulator, at theta: [Double], count: Int,
                 seed: UInt64 = 1) -> [[Double]] {
    var rng = RandomStream(seed: seed, stream: "test")
    return (0..<count).map { _ in simulator.simulate(theta, &rng) }
}

/// Asserts that a sample mean is within 5 standard errors of its exact value.
func assertMean(_ sampleMean: Double, _ exact: Double, variance: Double, count: Int,
                _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(sampleMean, exact, accuracy: 5 * (variance / Double(count)).squareRoot(),
                   message, file: file, line: line)
}

/// Asserts that a sample variance of a near-Gaussian quantity is within 5 standard
/// errors (σ²·√(2/n)) of its exact value.
func assertVariance(_ sampleVariance: Double, _ exact: Double, count: Int,
                    _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(sampleVariance, exact, accuracy: 5 * exact * (2 / Double(count)).squareRoot(),
                   message, file: file, line: line)
}
