import Foundation
import Random
import Simulators
import XCTest

final class SIRTests: XCTestCase {
    /// S + I + R = N holds along the solution: Runge–Kutta steps preserve linear
    /// invariants, so only rounding remains.
    func testPopulationIsConserved() throws {
        var rng = RandomStream(seed: 1, stream: "test")
        for _ in 0..<20 {
            let theta = SIR().samplePrior(&rng)
            let states = try XCTUnwrap(SIR().solve(theta))
            for state in states {
                XCTAssertEqual(state.reduce(0, +), SIR.population, accuracy: 1e-6)
                XCTAssert(state.allSatisfy { $0 >= -1e-6 })
            }
        }
    }

    /// The solution at rtol = atol = 1e−8 agrees with a 1e−12 solve to far below the
    /// Binomial noise (whose standard deviation in I/N is at least 1/1000 · √p).
    func testAgreesWithTighterSolve() throws {
        var rng = RandomStream(seed: 2, stream: "test")
        for _ in 0..<10 {
            let theta = SIR().samplePrior(&rng)
            let loose = try XCTUnwrap(SIR().solve(theta))
            let tight = try XCTUnwrap(SIR().solve(theta, tolerance: 1e-12))
            for (a, b) in zip(loose, tight) {
                XCTAssertEqual(a[1], b[1], accuracy: 1e-6 * SIR.population, "θ = \(theta)")
            }
        }
    }

    /// The epidemic peaks: with β/γ > 1 infections rise, then fall (a classical fact: the
    /// peak is where S/N = γ/β).
    func testEpidemicShape() throws {
        let states = try XCTUnwrap(SIR().solve([0.5, 0.1]))
        let infected = states.map { $0[1] }
        let peak = try XCTUnwrap(infected.indices.max { infected[$0] < infected[$1] })
        XCTAssert(peak > 0 && peak < 9, "\(infected)")
        // Final-size relation for R0 = 5: s∞ = exp(−R0 (1 − s∞)) gives s∞ ≈ 0.00697.
        XCTAssertEqual(states[9][0] / SIR.population, 0.00697, accuracy: 0.001)
    }

    /// Counts are Binomial(1000, I/N): mean and variance at θ* of obs 1.
    func testBinomialObservations() throws {
        let theta = try reference("sir", 1).theta
        let p = try XCTUnwrap(SIR().solve(theta)).map { $0[1] / SIR.population }
        let n = 1_000
        let (mean, variance) = columnMoments(simulations(SIR(), at: theta, count: n))
        for j in 1..<10 {
            let v = 1000 * p[j] * (1 - p[j])
            assertMean(mean[j], 1000 * p[j], variance: v, count: n, "day \(17 * j)")
            // Binomial counts with means of ≥ 40 are close enough to normal here.
            if v > 30 { assertVariance(variance[j], v, count: n, "day \(17 * j)") }
        }
    }

    /// Each stored count is within 5 Binomial standard deviations (plus one count) of
    /// 1000·I(t)/N at θ*.
    func testObservationsAreLikely() throws {
        for number in 1...5 {
            let (x, theta) = try reference("sir", number)
            let states = try XCTUnwrap(SIR().solve(theta))
            for (j, state) in states.enumerated() {
                let p = state[1] / SIR.population
                let sd = (1000 * p * (1 - p)).squareRoot()
                XCTAssertLessThanOrEqual(abs(x[j] - 1000 * p), 5 * sd + 1, "obs \(number), day \(17 * j)")
            }
        }
    }

    /// A solve that cannot finish gives NaN for every output, as in sbibm.
    func testFailedSolveGivesNaN() {
        var rng = RandomStream(seed: 3, stream: "test")
        XCTAssertNil(SIR().solve([1e9, 0.1]))
        XCTAssert(SIR().simulate([1e9, 0.1], &rng).allSatisfy(\.isNaN))
    }
}
