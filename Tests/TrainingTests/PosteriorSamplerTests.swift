import Datasets
import XCTest
@testable import Training

/// Rejection outside a support: the samples kept are exactly the draws of the same seed that
/// lie inside it, in order, and drawing stops with an error when almost nothing does.
final class PosteriorSamplerTests: XCTestCase {
    func testRejectionKeepsTheDrawsInsideTheSupportInOrder() throws {
        let sampler = try PosteriorSampler(try ModelFileTests.model(seed: 0.1), backend: TrainerTests.interpreter)
        let observation = try Matrix(rowArrays: [[0.3, -0.4]])
        let all = try sampler.sample(observation, count: 3000, seed: 5)[0]
        XCTAssertEqual(all.draws, 3000, "without a support every draw is a sample")

        // A support holding about half of the draws: θ₁ above its median.
        let first = (0..<all.samples.rows).map { all.samples[$0, 0] }
        let threshold = first.sorted()[first.count / 2]
        let inside = (0..<all.samples.rows).filter { first[$0] > threshold }
        let count = inside.count / 2
        let kept = try sampler.sample(observation, count: count, seed: 5, within: { $0[$0.startIndex] > threshold })[0]

        XCTAssertEqual(kept.samples.rows, count)
        // The same noise, so the same draws: the kept ones are the first `count` inside, and
        // drawing stopped at the last of them.
        XCTAssertEqual(kept.draws, inside[count - 1] + 1)
        XCTAssertEqual(kept.acceptance, Double(count) / Double(inside[count - 1] + 1))
        XCTAssertLessThan(kept.acceptance, 0.75)
        for (k, row) in inside.prefix(count).enumerated() {
            XCTAssertEqual(kept.samples.rowArray(k), all.samples.rowArray(row), "sample \(k)")
        }
    }

    func testRejectionGivesUpWhenNothingIsInside() throws {
        let sampler = try PosteriorSampler(try ModelFileTests.model(seed: 0.1), backend: TrainerTests.interpreter)
        let observation = try Matrix(rowArrays: [[0.3, -0.4], [0, 0]])
        XCTAssertThrowsError(try sampler.sample(observation, count: 4, seed: 1, within: { _ in false })) { error in
            XCTAssertEqual("\(error)", "observation 1: only 0 of 4000 draws of θ lay inside the support; "
                           + "the model puts almost all its mass outside it")
        }
    }
}
