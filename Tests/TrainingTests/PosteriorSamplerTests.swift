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

    /// Copies of the sample program on several threads run the batches one thread would, in
    /// the same order, and the noise stream goes on after the last batch taken: the samples and
    /// the draws are the same for any number of threads, for several observations in a row,
    /// with and without a support.
    func testThreadsDrawTheSameSamples() throws {
        let model = try ModelFileTests.model(seed: 0.1)
        let one = try PosteriorSampler(model, backend: TrainerTests.interpreter, threads: 1)
        let observations = try Matrix(rowArrays: [[0.3, -0.4], [0, 0], [1, 2]])
        for threads in [2, 3, 5] {
            let several = try PosteriorSampler(model, backend: TrainerTests.interpreter, threads: threads)
            XCTAssertEqual(several.threads, threads)
            for (count, support) in [(2500, nil), (1000, { (θ: ArraySlice<Double>) in θ[θ.startIndex] > 0 }), (7, nil)] as [(Int, ((ArraySlice<Double>) -> Bool)?)] {
                let want = try one.sample(observations, count: count, seed: 9, within: support)
                let got = try several.sample(observations, count: count, seed: 9, within: support)
                for (g, w) in zip(got, want) {
                    XCTAssertEqual(g.samples.values, w.samples.values, "\(threads) threads, \(count) samples")
                    XCTAssertEqual(g.draws, w.draws)
                }
            }
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
