import Datasets
import Foundation
import Random
import Simulators
import XCTest

/// Priors for a user's own simulator, read from JSON.
final class NamedPriorTests: XCTestCase {
    func parse(_ text: String) throws -> NamedPrior { try NamedPrior.parse(Data(text.utf8), file: "prior.json") }

    func testMarginalsDensitiesAndSupport() throws {
        let named = try parse(#"[{"name": "a", "uniform": [-1, 3]}, {"name": "b", "normal": [1, 2]}, {"name": "c", "log_normal": [0.5, 0.25]}]"#)
        XCTAssertEqual(named.names, ["a", "b", "c"])
        let prior = named.prior
        // log p = −log 4 + log N(2; 1, 2²) + log LogNormal(1.5; 0.5, 0.25²), each written out.
        let normal = -0.5 * 0.25 - log(2.0) - 0.5 * log(2 * Double.pi)
        let z = (log(1.5) - 0.5) / 0.25
        let logNormal = -0.5 * z * z - log(0.25 * 1.5) - 0.5 * log(2 * Double.pi)
        XCTAssertEqual(prior.logDensity([0, 2, 1.5]), -log(4.0) + normal + logNormal, accuracy: 1e-12)
        XCTAssertEqual(prior.logDensity([3.5, 2, 1.5]), -.infinity)
        XCTAssertEqual(prior.logDensity([0, 2, -1]), -.infinity)
        XCTAssertTrue(prior.contains([3, -1e9, 1e-9]))
        XCTAssertFalse(prior.contains([3.01, 0, 1]))
        XCTAssertFalse(prior.contains([0, 0, 0]))
        XCTAssertFalse(prior.contains([0, .nan, 1]))
        // Draws: each marginal's mean, within 5 standard errors.
        var rng = RandomStream(seed: 2, stream: "test")
        let n = 50_000
        let draws = (0..<n).map { _ in prior.sample(&rng) }
        let means = (0..<3).map { j in draws.reduce(0) { $0 + $1[j] } / Double(n) }
        XCTAssertEqual(means[0], 1, accuracy: 5 * (16.0 / 12 / Double(n)).squareRoot())
        XCTAssertEqual(means[1], 1, accuracy: 5 * (4 / Double(n)).squareRoot())
        let logNormalMean = exp(0.5 + 0.25 * 0.25 / 2)
        let logNormalVariance = (exp(0.25 * 0.25) - 1) * logNormalMean * logNormalMean
        XCTAssertEqual(means[2], logNormalMean, accuracy: 5 * (logNormalVariance / Double(n)).squareRoot())
    }

    func testABox() throws {
        let named = try parse(#"{"lower": [0, -2], "upper": [1, 2]}"#)
        XCTAssertNil(named.names)
        XCTAssertEqual(named.prior.logDensity([0.5, 0]), -log(4.0), accuracy: 1e-15)
        XCTAssertEqual(named.json.count, 2)
        XCTAssertEqual(named.json[1]["uniform"] as? [Double], [-2, 2])
    }

    func testTheRecordRoundTrips() throws {
        let named = try parse(#"[{"name": "a", "uniform": [-1, 3]}, {"name": "b", "log_normal": [0, 1]}]"#)
        let again = try JSONDecoder().decode(NamedPrior.self, from: try JSONEncoder().encode(named))
        XCTAssertEqual(again.prior.family, named.prior.family)
        XCTAssertEqual(again.names, ["a", "b"])
    }

    func testMistakesAreNamed() {
        let cases: [(String, String)] = [
            ("{", "prior.json: not JSON"),
            (#"{"lower": [0], "upper": [1], "uper": [2]}"#, "uper"),
            (#"{"lower": [0, 1], "upper": [1]}"#, "lower has 2 bounds and upper 1"),
            (#"{"lower": [2], "upper": [1]}"#, "2.0 is not below upper[0] = 1.0"),
            (#"[{"uniform": [0, 1]}, {"normal": [0, -1]}]"#, "the standard deviation -1.0 is not positive"),
            (#"[{"normal": [0, 1], "uniform": [0, 1]}]"#, "give exactly one of uniform, normal or log_normal"),
            (#"[{"gamma": [1, 1]}]"#, "[0].gamma"),
            (#"[{"uniform": [0, "1"]}]"#, "[0].uniform[1]"),
            (#"[{"uniform": [0, 1, 2]}]"#, "expected two numbers, not 3"),
            (#"[{"uniform": [true, 1]}]"#, "is not a finite number"),
            (#"[]"#, "expected a box"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }
}
