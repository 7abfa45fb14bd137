import Datasets
import Foundation
import Random
import Simulators
import XCTest

final class BernoulliGLMTests: XCTestCase {
    /// X from sbibm's design_matrix.csv, 100 rows of 10.
    private func designMatrix() throws -> Matrix {
        try SBIBM.taskFile(task: "bernoulli_glm", name: "design_matrix.csv")
    }

    private func transposedProduct(_ x: Matrix, _ y: [Double]) -> [Double] {
        (0..<x.columns).map { j in (0..<x.rows).reduce(0.0) { $0 + x[$1, j] * y[$1] } }
    }

    /// The spike count has mean Σ σ(X_t·θ) and variance Σ p(1 − p), with X from sbibm's
    /// file; the summary is Xᵀ of the raw train drawn from the same stream.
    func testSpikeCountAndSummary() throws {
        let x = try designMatrix()
        let theta = try reference("bernoulli_glm", 1).theta
        let p = (0..<100).map { t in
            1 / (1 + exp(-(0..<10).reduce(0.0) { $0 + x[t, $1] * theta[$1] }))
        }
        let expectedMean = p.reduce(0, +)
        let expectedVariance = p.reduce(0) { $0 + $1 * (1 - $1) }
        let n = 5_000
        var rng = RandomStream(seed: 1, stream: "test")
        var counts: [[Double]] = []
        for _ in 0..<n {
            var copy = rng
            let raw = BernoulliGLM(raw: true).simulate(theta, &rng)
            let summary = BernoulliGLM().simulate(theta, &copy)
            XCTAssert(raw.allSatisfy { $0 == 0 || $0 == 1 })
            let product = transposedProduct(x, raw)
            // design_matrix.csv prints the float32 stimulus with 9 significant digits.
            for j in 0..<10 { XCTAssertEqual(summary[j], product[j], accuracy: 1e-6) }
            counts.append([summary[0]])
        }
        let (mean, variance) = columnMoments(counts)
        assertMean(mean[0], expectedMean, variance: expectedVariance, count: n)
        assertVariance(variance[0], expectedVariance, count: n)
    }

    /// Xᵀ of the stored raw observation is the stored summary observation (tasks.md §8).
    func testRawObservationSummarisesToObservation() throws {
        let x = try designMatrix()
        for number in 1...5 {
            let (raw, rawTheta) = try reference("bernoulli_glm_raw", number)
            let (summary, theta) = try reference("bernoulli_glm", number)
            XCTAssertEqual(rawTheta, theta)
            let product = transposedProduct(x, raw)
            for j in 0..<10 {
                XCTAssertEqual(product[j], summary[j], accuracy: 1e-4 * max(1, abs(summary[j])), "obs \(number)")
            }
            for (a, b) in zip(BernoulliGLMConstants.shared.summary(raw), product) {
                XCTAssertEqual(a, b, accuracy: 1e-6)
            }
        }
    }

    /// Each coordinate of the stored summary lies within 5 standard deviations of 2,000
    /// simulations at θ*.
    func testObservationsAreLikely() throws {
        for number in 1...5 {
            let (observation, theta) = try reference("bernoulli_glm", number)
            let (mean, variance) = columnMoments(simulations(BernoulliGLM(), at: theta, count: 2_000))
            for j in 0..<10 {
                XCTAssertLessThan(abs(observation[j] - mean[j]), 5 * variance[j].squareRoot(),
                                  "obs \(number), x\(j + 1)")
            }
        }
    }
}
