import Datasets
import Foundation
import Random
import Simulators
import XCTest

final class GaussianTasksTests: XCTestCase {
    /// x | θ ~ N(θ, 0.1·I): per-coordinate mean and variance, and no correlation.
    func testLinearNoise() {
        let theta = (0..<10).map { 0.1 * Double($0) - 0.5 }
        let n = 20_000
        for simulator in [GaussianLinear(), GaussianLinear(uniformPrior: true)] {
            let xs = simulations(simulator, at: theta, count: n)
            let (mean, variance) = columnMoments(xs)
            for j in 0..<10 {
                assertMean(mean[j], theta[j], variance: 0.1, count: n, simulator.name)
                assertVariance(variance[j], 0.1, count: n, simulator.name)
            }
            let covariance = xs.reduce(0.0) { $0 + ($1[2] - mean[2]) * ($1[7] - mean[7]) } / Double(n)
            XCTAssertEqual(covariance, 0, accuracy: 5 * 0.1 / Double(n).squareRoot())
        }
    }

    /// Under the gaussian_linear prior, θⱼ | x ~ N(xⱼ/2, 0.05): regressing θ on x over
    /// prior simulations recovers slope 1/2 and residual variance 0.05.
    func testLinearPosteriorByRegression() throws {
        let n = 20_000
        let data = simulateDataset(GaussianLinear(), count: n, seed: 7)
        var sxx = 0.0, sxt = 0.0, stt = 0.0
        for i in 0..<n {
            for j in 0..<10 {
                let x = data.y[i, j]
                let t = data.theta[i, j]
                sxx += x * x
                sxt += x * t
                stt += t * t
            }
        }
        let pairs = Double(10 * n)
        let slope = sxt / sxx
        let residualVariance = (stt - slope * sxt) / pairs
        // Standard errors: slope √(0.05 / (pairs·0.2)), residual variance 0.05·√(2/pairs).
        XCTAssertEqual(slope, 0.5, accuracy: 5 * (0.05 / (pairs * 0.2)).squareRoot())
        XCTAssertEqual(residualVariance, 0.05, accuracy: 5 * 0.05 * (2 / pairs).squareRoot())
    }

    /// sbibm's reference samples for gaussian_linear obs 1 have mean x*/2 and variance 0.05.
    func testReferencePosteriorMatchesClosedForm() throws {
        let x = try SBIBM.observation(task: "gaussian_linear", number: 1).rowArray(0)
        let samples = try SBIBM.referenceSamples(task: "gaussian_linear", number: 1)
        let (mean, variance) = columnMoments((0..<samples.rows).map { samples.rowArray($0) })
        for j in 0..<10 {
            assertMean(mean[j], x[j] / 2, variance: 0.05, count: samples.rows)
            assertVariance(variance[j], 0.05, count: samples.rows)
        }
    }

    /// d = x − θ has per-coordinate variance ½(1 + 0.01), and since both coordinates share
    /// one component, E[d1²·d2²] = ½·1 + ½·10⁻⁴ (independent components would give 0.255).
    func testMixtureSharesTheComponent() {
        let theta = [2.0, -3.0]
        let n = 40_000
        let ds = simulations(GaussianMixture(), at: theta, count: n).map { [$0[0] - theta[0], $0[1] - theta[1]] }
        let (_, variance) = columnMoments(ds)
        // Var(d²) = E[d⁴] − 0.505² with E[d⁴] = ½·3 + ½·3·10⁻⁴.
        let dispersion = (0.5 * 3 + 0.5 * 3e-4 - 0.505 * 0.505) / Double(n)
        for j in 0..<2 { XCTAssertEqual(variance[j], 0.505, accuracy: 5 * dispersion.squareRoot()) }
        let products = ds.map { $0[0] * $0[0] * $0[1] * $0[1] }
        let meanProduct = products.reduce(0, +) / Double(n)
        // E[(d1 d2)⁴] = ½·9 + ½·9·10⁻⁸.
        XCTAssertEqual(meanProduct, 0.50005, accuracy: 5 * ((4.5 - 0.25) / Double(n)).squareRoot())
        // P(|d|² < 0.1) = ½(1 − e^−0.05) + ½(1 − e^−5).
        let inside = Double(ds.filter { $0[0] * $0[0] + $0[1] * $0[1] < 0.1 }.count) / Double(n)
        let p = 0.5 * (1 - exp(-0.05)) + 0.5 * (1 - exp(-5))
        XCTAssertEqual(inside, p, accuracy: 5 * (p * (1 - p) / Double(n)).squareRoot())
    }

    /// Exact likelihood checks of the stored observations at θ*: (x − θ*)ᵀ(x − θ*)/0.1 is
    /// χ²₁₀ for the linear tasks (below 50, a 1e−6 tail); for the mixture |x − θ*|² is at
    /// most χ²₂ with unit variance (below 27.6, a 1e−6 tail).
    func testObservationsAreLikely() throws {
        for task in ["gaussian_linear", "gaussian_linear_uniform", "gaussian_mixture"] {
            for number in 1...5 {
                let (x, theta) = try reference(task, number)
                let squared = zip(x, theta).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                if task == "gaussian_mixture" {
                    XCTAssertLessThan(squared, 27.6, "\(task) obs \(number)")
                } else {
                    XCTAssertLessThan(squared / 0.1, 50, "\(task) obs \(number)")
                }
                XCTAssert(try Simulators.named(task).priorLogDensity(theta).isFinite)
            }
        }
    }
}
