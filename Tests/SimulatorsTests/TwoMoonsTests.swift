import Foundation
import Random
import Simulators
import XCTest

final class TwoMoonsTests: XCTestCase {
    /// Undoing the θ shift leaves p = (r·cos a + 0.25, r·sin a) with r ~ N(0.1, 0.01²)
    /// and a ~ U(−π/2, π/2): check the radius and angle distributions.
    func testRadiusAndAngle() {
        let theta = [0.3, -0.7]
        let n = 20_000
        let xs = simulations(TwoMoons(), at: theta, count: n)
        let z0 = (theta[0] + theta[1]) / 2.0.squareRoot()
        let z1 = (theta[1] - theta[0]) / 2.0.squareRoot()
        var radii: [[Double]] = []
        var angles: [[Double]] = []
        for x in xs {
            let u = x[0] + abs(z0) - 0.25
            let v = x[1] - z1
            XCTAssertGreaterThanOrEqual(u, 0)
            radii.append([(u * u + v * v).squareRoot()])
            angles.append([atan2(v, u)])
        }
        let radius = columnMoments(radii)
        assertMean(radius.mean[0], 0.1, variance: 1e-4, count: n)
        assertVariance(radius.variance[0], 1e-4, count: n)
        let angle = columnMoments(angles)
        let uniformVariance = Double.pi * Double.pi / 12
        assertMean(angle.mean[0], 0, variance: uniformVariance, count: n)
        // The variance of a uniform's sample variance: (μ4 − σ⁴)/n with μ4 = 9σ⁴/5.
        XCTAssertEqual(angle.variance[0], uniformVariance,
                       accuracy: 5 * uniformVariance * (0.8 / Double(n)).squareRoot())
    }

    /// The likelihood of tasks.md §1 at the stored observations: finite, with the radius
    /// within 5 standard deviations of 0.1.
    func testObservationsAreLikely() throws {
        for number in 1...5 {
            let (x, theta) = try reference("two_moons", number)
            let logLikelihood = TwoMoons().logLikelihood(x, theta: theta)
            let peak = -log(0.01 * (2 * Double.pi).squareRoot())
            // log N(ρ; 0.1, 0.01²) ≥ peak − 12.5 ⇔ |ρ − 0.1| ≤ 5 std.
            XCTAssertGreaterThan(logLikelihood, peak - 12.5, "obs \(number)")
        }
    }
}
