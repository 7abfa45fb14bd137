import Foundation
import Random
import Simulators
import XCTest

final class PriorTests: XCTestCase {
    func testUniform() throws {
        let prior = try XCTUnwrap(Prior.uniform(lower: [-1, 0], upper: [1, 4]))
        XCTAssertEqual(prior.logDensity([0, 1]), -log(8), accuracy: 1e-15)
        XCTAssertEqual(prior.logDensity([0, 4.5]), -.infinity)
        XCTAssertEqual(prior.logDensity([0]), -.infinity)
        XCTAssertTrue(prior.contains([-1, 4]))
        XCTAssertFalse(prior.contains([0, 4.5]))
        XCTAssertFalse(prior.contains([.nan, 1]))
        XCTAssertNil(Prior.uniform(lower: [1], upper: [1]))
        XCTAssertNil(Prior.uniform(lower: [0, 0], upper: [1]))
        XCTAssertNil(Prior.uniform(lower: [.nan], upper: [1]))
    }

    func testGaussianDensityAndMoments() throws {
        // Σ = [[2, 0.6], [0.6, 0.5]]: det = 0.64, Σ⁻¹ = [[0.78125, −0.9375], [−0.9375, 3.125]].
        let prior = try XCTUnwrap(Prior.gaussian(mean: [1, -1], covariance: [2, 0.6, 0.6, 0.5]))
        let d = [0.5, 0.25]  // θ − mean for θ = (1.5, −0.75)
        let quadratic = 0.78125 * d[0] * d[0] - 2 * 0.9375 * d[0] * d[1] + 3.125 * d[1] * d[1]
        XCTAssertEqual(prior.logDensity([1.5, -0.75]),
                       -log(2 * Double.pi) - 0.5 * log(0.64) - 0.5 * quadratic, accuracy: 1e-12)
        var rng = RandomStream(seed: 1, stream: "test")
        let n = 100_000
        let draws = (0..<n).map { _ in prior.sample(&rng) }
        let (mean, variance) = columnMoments(draws)
        assertMean(mean[0], 1, variance: 2, count: n)
        assertMean(mean[1], -1, variance: 0.5, count: n)
        assertVariance(variance[0], 2, count: n)
        assertVariance(variance[1], 0.5, count: n)
        let covariance = draws.reduce(0.0) { $0 + ($1[0] - mean[0]) * ($1[1] - mean[1]) } / Double(n)
        XCTAssertEqual(covariance, 0.6, accuracy: 5 * ((2 * 0.5 + 0.36) / Double(n)).squareRoot())
        XCTAssertTrue(prior.contains([1e300, -1e300]))
        XCTAssertFalse(prior.contains([.infinity, 0]))
        XCTAssertNil(Prior.gaussian(mean: [0, 0], covariance: [1, 2, 2, 1]))
    }

    func testLogNormal() throws {
        let prior = try XCTUnwrap(Prior.logNormal(mu: [log(0.4)], sigma: [0.5]))
        let theta = 0.3
        let z = (log(theta) - log(0.4)) / 0.5
        XCTAssertEqual(prior.logDensity([theta]),
                       -0.5 * z * z - log(0.5 * theta * (2 * Double.pi).squareRoot()), accuracy: 1e-12)
        XCTAssertEqual(prior.logDensity([-0.1]), -.infinity)
        XCTAssertTrue(prior.contains([theta]))
        XCTAssertFalse(prior.contains([0]))
        XCTAssertFalse(prior.contains([-0.1]))
        var rng = RandomStream(seed: 2, stream: "test")
        let logs = (0..<50_000).map { _ in log(prior.sample(&rng)[0]) }
        let (mean, variance) = columnMoments(logs.map { [$0] })
        assertMean(mean[0], log(0.4), variance: 0.25, count: logs.count)
        assertVariance(variance[0], 0.25, count: logs.count)
        XCTAssertNil(Prior.logNormal(mu: [0], sigma: [0]))
    }

    /// The tasks whose prior is a box, which a spec's `"bounds": "prior"` may name, with
    /// sbibm's bounds; every other prior has none.
    func testBoxPriorsOfTheTasks() throws {
        var boxes: [String: (lower: [Double], upper: [Double])] = [:]
        for task in Simulators.sizes { if let box = task.box { boxes[task.name] = box } }
        XCTAssertEqual(Set(boxes.keys), ["two_moons", "gaussian_linear_uniform", "gaussian_mixture", "slcp", "slcp_distractors", "hodgkin_huxley"])
        XCTAssertEqual(boxes["hodgkin_huxley"]?.lower.count, 7)
        for (task, bound, size) in [("two_moons", 1.0, 2), ("gaussian_linear_uniform", 1, 10), ("gaussian_mixture", 10, 2),
                                    ("slcp", 3, 5), ("slcp_distractors", 3, 5)] {
            XCTAssertEqual(boxes[task]?.lower, Array(repeating: -bound, count: size), task)
            XCTAssertEqual(boxes[task]?.upper, Array(repeating: bound, count: size), task)
        }
        XCTAssertNotNil(Prior.independent([.uniform(lower: 0, upper: 1), .uniform(lower: -2, upper: 2)])?.box)
        XCTAssertNil(Prior.independent([.uniform(lower: 0, upper: 1), .normal(mean: 0, sd: 1)])?.box)
    }
}
