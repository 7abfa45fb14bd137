import Foundation
import Random
import XCTest

final class BinomialTests: XCTestCase {
    /// The exact pmf of Binomial(n, p), from log-gamma.
    private func pmf(_ n: Int, _ p: Double) -> [Double] {
        (0...n).map { k in
            let logChoose = lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
            return exp(logChoose + Double(k) * log(p) + Double(n - k) * log1p(-p))
        }
    }

    /// Counts of 200,000 draws against the exact pmf, for probabilities that exercise the
    /// inversion branch (n·p < 10), the BTRS branch and the mirroring for p > ½.
    func testMatchesExactDistribution() {
        var stream = RandomStream(seed: 1, stream: "test")
        let n = 1000
        for p in [0.001, 0.0099, 0.0101, 0.05, 0.3, 0.5, 0.77, 0.995] {
            let draws = 200_000
            var counts = [Double](repeating: 0, count: n + 1)
            for _ in 0..<draws {
                let k = stream.binomial(count: n, probability: p)
                XCTAssert((0...n).contains(k))
                counts[k] += 1
            }
            let expected = pmf(n, p).map { $0 * Double(draws) }
            let result = chiSquare(observed: counts, expected: expected)
            XCTAssert(chiSquareIsPlausible(result),
                      "p = \(p): χ² = \(result.statistic) with \(result.degreesOfFreedom) dof")
        }
    }

    /// Mean n·p and variance n·p·q within 5 standard errors, small and large counts.
    func testMoments() {
        var stream = RandomStream(seed: 2, stream: "test")
        for (n, p) in [(10, 0.4), (1000, 1e-6), (1000, 0.2), (50_000, 0.01), (1_000_000, 0.37)] {
            var sum = 0.0
            var sumSquares = 0.0
            let draws = 100_000
            for _ in 0..<draws {
                let k = Double(stream.binomial(count: n, probability: p))
                sum += k
                sumSquares += k * k
            }
            let mean = sum / Double(draws)
            let variance = sumSquares / Double(draws) - mean * mean
            let exactVariance = Double(n) * p * (1 - p)
            XCTAssertEqual(mean, Double(n) * p, accuracy: 5 * (exactVariance / Double(draws)).squareRoot(),
                           "n = \(n), p = \(p)")
            // Var(s²) ≈ 2σ⁴/n for a near-normal count, plus slack for the skewed small cases.
            XCTAssertEqual(variance, exactVariance,
                           accuracy: 6 * exactVariance * (2 / Double(draws)).squareRoot() + 1e-4,
                           "n = \(n), p = \(p)")
        }
    }

    func testEdgeCases() {
        var stream = RandomStream(seed: 3, stream: "test")
        XCTAssertEqual(stream.binomial(count: 1000, probability: 0), 0)
        XCTAssertEqual(stream.binomial(count: 1000, probability: 1), 1000)
        XCTAssertEqual(stream.binomial(count: 1000, probability: 1.5), 1000)
        XCTAssertEqual(stream.binomial(count: 1000, probability: -0.2), 0)
        XCTAssertEqual(stream.binomial(count: 1000, probability: .nan), 0)
        XCTAssertEqual(stream.binomial(count: 0, probability: 0.5), 0)
        XCTAssertEqual(stream.binomial(count: -5, probability: 0.5), 0)
    }
}
