import Foundation
import Random
import XCTest

/// Moments of each sampler within 5 standard errors of the exact values (fixed seeds).
/// The standard error of the sample variance uses the fourth central moment μ4:
/// Var(s²) ≈ (μ4 − σ⁴)/n.
final class ContinuousDistributionTests: XCTestCase {
    private func check(_ moments: SampleMoments, mean: Double, variance: Double,
                       fourthCentral: Double, skewness: Double? = nil, kurtosis: Double? = nil,
                       file: StaticString = #filePath, line: UInt = #line) {
        let n = moments.count
        XCTAssertEqual(moments.mean, mean, accuracy: 5 * (variance / n).squareRoot(),
                       "mean", file: file, line: line)
        XCTAssertEqual(moments.variance, variance,
                       accuracy: 5 * ((fourthCentral - variance * variance) / n).squareRoot(),
                       "variance", file: file, line: line)
        // Standard errors of skewness and kurtosis for a normal are √(6/n) and √(24/n);
        // these checks are only made for the normal.
        if let skewness {
            XCTAssertEqual(moments.skewness, skewness, accuracy: 5 * (6 / n).squareRoot(),
                           "skewness", file: file, line: line)
        }
        if let kurtosis {
            XCTAssertEqual(moments.kurtosis, kurtosis, accuracy: 5 * (24 / n).squareRoot(),
                           "kurtosis", file: file, line: line)
        }
    }

    func testNormalMoments() {
        var stream = RandomStream(seed: 1, stream: "test")
        var moments = SampleMoments()
        for _ in 0..<1_000_000 { moments.add(stream.normal()) }
        check(moments, mean: 0, variance: 1, fourthCentral: 3, skewness: 0, kurtosis: 3)
    }

    /// The empirical CDF matches Φ at points inside the ziggurat's layers, on the wedges and
    /// in the tail beyond r = 3.4426, within 5 binomial standard errors.
    func testNormalDistributionFunction() {
        var stream = RandomStream(seed: 2, stream: "test")
        let n = 400_000
        let points: [Double] = [-4, -3.5, -3.4426, -2.5, -1.3, -0.6, 0, 0.2, 0.9, 1.7, 3, 3.6]
        var below = [Double](repeating: 0, count: points.count)
        for _ in 0..<n {
            let x = stream.normal()
            for (i, point) in points.enumerated() where x <= point { below[i] += 1 }
        }
        for (i, point) in points.enumerated() {
            let p = 0.5 * erfc(-point / 2.0.squareRoot())
            let standardError = (p * (1 - p) / Double(n)).squareRoot()
            XCTAssertEqual(below[i] / Double(n), p, accuracy: 5 * standardError + 1e-7,
                           "P(X ≤ \(point))")
        }
    }

    func testNormalWithMeanAndStd() {
        var stream = RandomStream(seed: 3, stream: "test")
        var moments = SampleMoments()
        for _ in 0..<200_000 { moments.add(stream.normal(mean: 2, std: 0.5)) }
        check(moments, mean: 2, variance: 0.25, fourthCentral: 3 * 0.0625)
    }

    func testExponentialMoments() {
        var stream = RandomStream(seed: 4, stream: "test")
        var moments = SampleMoments()
        for _ in 0..<500_000 {
            let x = stream.exponential()
            XCTAssert(x >= 0 && x.isFinite)
            moments.add(x)
        }
        // Exp(1): central moments μ2 = 1, μ4 = 9.
        check(moments, mean: 1, variance: 1, fourthCentral: 9)
    }

    func testGammaMoments() {
        var stream = RandomStream(seed: 5, stream: "test")
        for shape in [0.3, 1.0, 2.5, 10.0] {
            var moments = SampleMoments()
            for _ in 0..<300_000 { moments.add(stream.gamma(shape: shape)) }
            // Gamma(k, 1): mean k, variance k, μ4 = 3k² + 6k.
            check(moments, mean: shape, variance: shape, fourthCentral: 3 * shape * shape + 6 * shape)
        }
        var scaled = SampleMoments()
        for _ in 0..<300_000 { scaled.add(stream.gamma(shape: 2, scale: 3)) }
        check(scaled, mean: 6, variance: 18, fourthCentral: 81 * (12 + 12))
    }

    func testGammaRejectsInvalidShape() {
        var stream = RandomStream(seed: 6, stream: "test")
        XCTAssert(stream.gamma(shape: 0).isNaN)
        XCTAssert(stream.gamma(shape: -1).isNaN)
        XCTAssert(stream.gamma(shape: .nan).isNaN)
        XCTAssert(stream.gamma(shape: 1, scale: 0).isNaN)
    }
}
