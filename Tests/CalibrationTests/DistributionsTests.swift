import Calibration
import Foundation
import XCTest

/// Against scipy.stats 1.17 (chi2.sf, binom.ppf).
final class DistributionsTests: XCTestCase {
    func testChiSquareSurvival() {
        XCTAssertEqual(Distributions.chiSquareSurvival(16.919, degreesOfFreedom: 9), 0.049999640848349826, accuracy: 1e-12)
        XCTAssertEqual(Distributions.chiSquareSurvival(3.841, degreesOfFreedom: 1), 0.050013683763956804, accuracy: 1e-12)
        XCTAssertEqual(Distributions.chiSquareSurvival(30, degreesOfFreedom: 19), 0.05179845889302389, accuracy: 1e-12)
        XCTAssertEqual(Distributions.chiSquareSurvival(0.5, degreesOfFreedom: 4), 0.9735009788392561, accuracy: 1e-12)
        XCTAssertEqual(Distributions.chiSquareSurvival(100, degreesOfFreedom: 9), 1.5735176303753876e-17, accuracy: 1e-27)
        // Two degrees of freedom: exactly exp(−x/2).
        for x in [0.1, 1, 5, 40] {
            XCTAssertEqual(Distributions.chiSquareSurvival(x, degreesOfFreedom: 2), exp(-x / 2), accuracy: 1e-13)
        }
        XCTAssertEqual(Distributions.chiSquareSurvival(0, degreesOfFreedom: 3), 1)
    }

    func testBinomialQuantiles() {
        XCTAssertEqual(Distributions.binomialQuantile(0.005, trials: 200, probability: 0.1), 10)
        XCTAssertEqual(Distributions.binomialQuantile(0.995, trials: 200, probability: 0.1), 32)
        XCTAssertEqual(Distributions.binomialQuantile(0.025, trials: 200, probability: 0.5), 86)
        XCTAssertEqual(Distributions.binomialQuantile(0.975, trials: 200, probability: 0.5), 114)
        XCTAssertEqual(Distributions.binomialQuantile(0.5, trials: 7, probability: 0.3), 2)
        XCTAssertEqual(Distributions.binomialQuantile(0.5, trials: 7, probability: 0), 0)
        XCTAssertEqual(Distributions.binomialQuantile(0.5, trials: 7, probability: 1), 7)
        XCTAssertEqual(Distributions.binomialQuantile(1, trials: 50, probability: 0.5), 50)
    }
}
