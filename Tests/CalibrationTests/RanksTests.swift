import Calibration
import Datasets
import Random
import XCTest

final class RanksTests: XCTestCase {
    func testRanksCountTheSamplesBelow() throws {
        let samples = try Matrix(rows: 4, columns: 2, values: [1, 10, 2, 20, 3, 30, 4, 40])
        var rng = RandomStream(seed: 1, stream: "test")
        XCTAssertEqual(Ranks.ranks(of: [2.5, 100], among: samples, count: 4, rng: &rng), [2, 4])
        XCTAssertEqual(Ranks.ranks(of: [0, 25], among: samples, count: 3, rng: &rng), [0, 2])
    }

    func testTiesAreSpreadOverTheirRanks() throws {
        let samples = try Matrix(rows: 4, columns: 1, values: [1, 1, 1, 1])
        var rng = RandomStream(seed: 1, stream: "test")
        let ranks = (0..<500).map { _ in Ranks.ranks(of: [1], among: samples, count: 4, rng: &rng)[0] }
        XCTAssertEqual(Set(ranks), [0, 1, 2, 3, 4])
    }

    func testEveryBinCoversTheSameRanks() {
        XCTAssertEqual(Ranks.usableSampleCount(1000, bins: 10), 999)
        XCTAssertEqual(Ranks.usableSampleCount(999, bins: 10), 999)
        XCTAssertEqual(Ranks.usableSampleCount(100, bins: 7), 97)
        XCTAssertEqual(Ranks.histogram(Array(0...999), maximum: 999, bins: 10), [Int](repeating: 100, count: 10))
    }

    func testUniformityAndCoverageOfPerfectRanks() {
        let uniform = UniformityTest(counts: [20, 20, 20, 20])
        XCTAssertEqual(uniform.chiSquare, 0)
        XCTAssertEqual(uniform.pValue, 1)
        XCTAssertEqual(uniform.degreesOfFreedom, 3)
        let skewed = UniformityTest(counts: [40, 20, 10, 10])
        XCTAssertEqual(skewed.chiSquare, (400 + 0 + 100 + 100) / 20.0)
        // Every rank of 0…L once: the coverage of level α is α up to one rank in L + 1.
        let coverage = Coverage.coverage(ranks: Array(0...999), maximum: 999)
        for (alpha, c) in zip(Coverage.levels, coverage) { XCTAssertEqual(c, alpha, accuracy: 0.002) }
    }
}
