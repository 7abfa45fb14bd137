import Random
import XCTest

/// Expected values printed by numpy 2.4 (`numpy.random.RandomState`, the frozen legacy
/// streams).
final class LegacyRandomStateTests: XCTestCase {
    func testRandomSample() {
        var state = LegacyRandomState(seed: 42)
        XCTAssertEqual(state.randomSample(), 0.3745401188473625)
        XCTAssertEqual(state.randomSample(), 0.9507143064099162)
        XCTAssertEqual(state.randomSample(), 0.7319939418114051)
        var zero = LegacyRandomState(seed: 0)
        XCTAssertEqual(zero.randomSample(), 0.5488135039273248)
        XCTAssertEqual(zero.randomSample(), 0.7151893663724195)
    }

    func testRandn() {
        var state = LegacyRandomState(seed: 42)
        XCTAssertEqual(state.standardNormal(count: 5), [
            0.4967141530112327, -0.13826430117118466, 0.6476885381006925,
            1.5230298564080254, -0.23415337472333597,
        ])
    }

    /// The cached second normal of a pair survives uniform draws in between, as in numpy:
    /// `randn(1); random_sample(1); randn(2)`.
    func testCachedNormalSurvivesOtherDraws() {
        var state = LegacyRandomState(seed: 42)
        XCTAssertEqual(state.standardNormal(), 0.4967141530112327)
        XCTAssertEqual(state.randomSample(), 0.7319939418114051)
        XCTAssertEqual(state.standardNormal(), -0.13826430117118466)
        XCTAssertEqual(state.standardNormal(), -1.1118801180469204)
    }

    func testNormalWithMeanAndStd() {
        var state = LegacyRandomState(seed: 7)
        let values = (0..<3).map { _ in state.normal(mean: 3, std: 2) }
        XCTAssertEqual(values, [6.381051407600712, 2.0681252589183345, 3.0656403273571686])
    }

    func testPermutation() {
        var state = LegacyRandomState(seed: 42)
        XCTAssertEqual(state.permutation(10), [8, 1, 5, 0, 7, 2, 9, 4, 3, 6])
        var maxSeed = LegacyRandomState(seed: UInt32.max)
        XCTAssertEqual(maxSeed.permutation(20),
                       [11, 17, 19, 15, 1, 5, 8, 16, 13, 18, 14, 9, 10, 6, 0, 4, 7, 12, 2, 3])
        XCTAssertEqual(maxSeed.permutation(0), [])
        XCTAssertEqual(maxSeed.permutation(-3), [])
    }
}
