import Datasets
import Foundation
import Random
import Simulators
import XCTest

final class SLCPTests: XCTestCase {
    /// Σ of tasks.md §5 written out: s = θ3², θ4² are standard deviations, ρ = tanh θ5.
    private func covariance(_ theta: [Double]) -> (Double, Double, Double) {
        let s1 = theta[2] * theta[2]
        let s2 = theta[3] * theta[3]
        let rho = tanh(theta[4])
        return (s1 * s1 + 1e-6, rho * s1 * s2, s2 * s2 + 1e-6)
    }

    /// Σ_points (v − m)ᵀ Σ⁻¹ (v − m), with the 2 × 2 inverse written out.
    private func mahalanobis(_ x: [Double], _ theta: [Double]) -> Double {
        let (a, b, c) = covariance(theta)
        let determinant = a * c - b * b
        var sum = 0.0
        for point in 0..<4 {
            let dx = x[2 * point] - theta[0]
            let dy = x[2 * point + 1] - theta[1]
            sum += (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / determinant
        }
        return sum
    }

    /// The four interleaved points have mean (θ1, θ2) and covariance Σ.
    func testPointsHaveTheStatedGaussian() {
        let theta = [0.5, -1, 1.2, -0.8, 0.7]
        let n = 10_000
        let points = simulations(SLCP(), at: theta, count: n).flatMap { x in
            (0..<4).map { [x[2 * $0], x[2 * $0 + 1]] }
        }
        let (mean, variance) = columnMoments(points)
        let (a, b, c) = covariance(theta)
        assertMean(mean[0], theta[0], variance: a, count: points.count)
        assertMean(mean[1], theta[1], variance: c, count: points.count)
        assertVariance(variance[0], a, count: points.count)
        assertVariance(variance[1], c, count: points.count)
        let cross = points.reduce(0.0) { $0 + ($1[0] - mean[0]) * ($1[1] - mean[1]) } / Double(points.count)
        XCTAssertEqual(cross, b, accuracy: 5 * ((a * c + b * b) / Double(points.count)).squareRoot())
    }

    /// The likelihood equals the four Gaussian densities written out, and the stored
    /// observations have a Mahalanobis sum (χ²₈ at θ*) below 45, a 1e−6 tail.
    func testObservationsAreLikely() throws {
        for number in 1...5 {
            let (x, theta) = try reference("slcp", number)
            let (a, b, c) = covariance(theta)
            let logDeterminant = log(a * c - b * b)
            let expected = -0.5 * mahalanobis(x, theta) - 2 * logDeterminant - 4 * log(2 * Double.pi)
            XCTAssertEqual(SLCP().logLikelihood(x, theta: theta), expected,
                           accuracy: 1e-9 * max(1, abs(expected)))
            XCTAssertLessThan(mahalanobis(x, theta), 45, "obs \(number)")
        }
    }

    /// The stored distractor observation carries slcp's observation at the listed
    /// positions (tasks.md §6).
    func testDistractorObservationsEmbedSLCP() throws {
        let positions = SLCPDistractors.informativePositions
        for number in 1...5 {
            let (slcp, _) = try reference("slcp", number)
            let (distractors, theta) = try reference("slcp_distractors", number)
            XCTAssertEqual(theta, try reference("slcp", number).theta)
            for (source, position) in positions.enumerated() {
                XCTAssertEqual(distractors[position], slcp[source],
                               accuracy: 1e-6 * max(1, abs(slcp[source])), "obs \(number)")
            }
            // Plausibility of the informative part, as for slcp.
            XCTAssertLessThan(mahalanobis(positions.map { distractors[$0] }, theta), 45)
        }
    }

    /// The distractors do not depend on θ, and the informative entries are slcp draws.
    func testDistractorsIgnoreTheta() {
        let rng = RandomStream(seed: 3, stream: "test")
        var a = rng, b = rng, c = rng
        let x1 = SLCPDistractors().simulate([0, 0, 1, 1, 0], &a)
        let x2 = SLCPDistractors().simulate([2, -2, 0.5, 2, 1], &b)
        let informative = SLCP().simulate([0, 0, 1, 1, 0], &c)
        let positions = Set(SLCPDistractors.informativePositions)
        for k in 0..<100 where !positions.contains(k) { XCTAssertEqual(x1[k], x2[k]) }
        XCTAssertEqual(SLCPDistractors.informativePositions.map { x1[$0] }, informative)
    }

    /// Each distractor coordinate is a mixture of scaled 1-D Student-t₂ variables: with
    /// σ²_ki = Σ_j (L_k)²_ij, P(n_i ≤ c) = (1/20)·Σ_k F₂((c − μ_ki)/σ_ki), where
    /// F₂(t) = ½ + t / (2√(t² + 2)). μ and L are read from sbibm's files.
    func testDistractorsFollowTheStudentMixture() throws {
        let locations = try SBIBM.taskFile(task: "slcp_distractors", name: "gmm_loc.csv")
        let scales = try SBIBM.taskFile(task: "slcp_distractors", name: "gmm_scale_tril.csv")
        let permutation = try SBIBM.taskFile(task: "slcp_distractors", name: "permutation_idx.csv")
            .values.map { Int($0) }
        let n = 3_000
        let xs = simulations(SLCPDistractors(), at: [0, 0, 1, 1, 0], count: n)
        for i in [0, 37, 91] {
            // x[k] = w[π_k] and distractor i is w[8 + i].
            let position = try XCTUnwrap(permutation.firstIndex(of: 8 + i))
            let sigma = (0..<20).map { k in
                (0..<92).reduce(0.0) { $0 + pow(scales[k * 92 + i, 2 + $1], 2) }.squareRoot()
            }
            for c in [-60.0, -20, -5, 0, 5, 20, 60] {
                let p = (0..<20).reduce(0.0) { sum, k in
                    let t = (c - locations[k, i]) / sigma[k]
                    return sum + (0.5 + t / (2 * (t * t + 2).squareRoot())) / 20
                }
                let empirical = Double(xs.filter { $0[position] <= c }.count) / Double(n)
                XCTAssertEqual(empirical, p, accuracy: 5 * (p * (1 - p) / Double(n)).squareRoot() + 1e-3,
                               "P(n\(i + 1) ≤ \(c))")
            }
        }
    }
}
