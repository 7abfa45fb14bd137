import Datasets
import Evaluation
import Foundation
import Interpreter
import JIT
import Random
import Runtime
import Simulators
import XCTest

final class EvaluationTests: XCTestCase {
    /// The default back end; one test also runs the classifier on the interpreter.
    let c2st = C2ST(backend: JIT.executables)

    func reference(_ task: String, _ rows: Range<Int>) throws -> Matrix {
        try SBIBM.referenceSamples(task: task, number: 1).selectingRows(rows)
    }

    func testReferenceAgainstAnIndependentHalfOfItselfIsChance() throws {
        let interpreted = C2ST(backend: InterpretedProgram.executables)
        for test in [c2st, interpreted] {
            let result = try test(try reference("two_moons", 0..<1000), reference: try reference("two_moons", 1000..<2000))
            XCTAssertEqual(result.accuracy, 0.5, accuracy: 0.05, "\(result.foldAccuracies)")
        }
    }

    /// The folds trained on two threads give the serial scores to the last digit, on both back
    /// ends, and two of them were in training at the same moment.
    func testConcurrentFoldsGiveTheSerialScores() throws {
        let samples = try reference("two_moons", 0..<300), other = try reference("two_moons", 5000..<5300)
        var rng = RandomStream(seed: 4, stream: "test")
        // Shifted by a fifth of a standard deviation, so that the folds' accuracies differ.
        let shifted = try Matrix(rowArrays: (0..<samples.rows).map { r in samples.row(r).map { $0 + 0.2 * rng.normal() } })
        for backend in [c2st.backend, InterpretedProgram.executables] {
            var serial = C2ST(backend: backend), concurrent = C2ST(backend: backend)
            serial.concurrency = 1
            concurrent.concurrency = 2
            let (a, b) = (try serial(shifted, reference: other), try concurrent(shifted, reference: other))
            XCTAssertEqual(a.foldAccuracies, b.foldAccuracies)
            XCTAssertEqual(a.epochs, b.epochs)
            XCTAssertEqual(a.accuracy, b.accuracy)
            XCTAssertEqual(a.concurrentFolds, 1)
            XCTAssertEqual(b.concurrentFolds, 2)
            XCTAssertGreaterThan(Set(a.foldAccuracies).count, 1, "\(a.foldAccuracies)")
        }
    }

    func testPriorAgainstThePosteriorIsSeparable() throws {
        var rng = RandomStream(seed: 3, stream: "test")
        let simulator = try Simulators.named("two_moons")
        let prior = try Matrix(rowArrays: (0..<1000).map { _ in simulator.samplePrior(&rng) })
        let result = try c2st(prior, reference: try reference("two_moons", 0..<1000))
        XCTAssertGreaterThan(result.accuracy, 0.95, "\(result.foldAccuracies)")
    }

    /// Samples of a failed model, some 10⁴⁰ reference deviations out: beyond float32 as
    /// z-scores, they are still told from the reference as easily as the prior is.
    func testSamplesFarBeyondTheReferenceAreSeparable() throws {
        var rng = RandomStream(seed: 6, stream: "test")
        let far = try Matrix(rowArrays: (0..<1000).map { r in
            [rng.normal(), r % 2 == 0 ? 1e40 * abs(rng.normal()) : rng.normal()]
        })
        let result = try c2st(far, reference: try reference("two_moons", 0..<1000))
        XCTAssertGreaterThan(result.accuracy, 0.95, "\(result.foldAccuracies)")
    }

    /// Exact draws from gaussian_linear's closed-form posterior N(y/2, 0.05·I).
    func testExactPosteriorSamplesAreIndistinguishable() throws {
        let y = try SBIBM.observation(task: "gaussian_linear", number: 1).rowArray(0)
        var rng = RandomStream(seed: 4, stream: "test")
        let exact = try Matrix(rowArrays: (0..<1000).map { _ in y.map { $0 / 2 + 0.05.squareRoot() * rng.normal() } })
        let result = try c2st(exact, reference: try reference("gaussian_linear", 0..<1000))
        XCTAssertEqual(result.accuracy, 0.5, accuracy: 0.06, "\(result.foldAccuracies)")
        // A posterior shifted by one standard deviation is caught.
        let shifted = try Matrix(rowArrays: (0..<1000).map { r in exact.rowArray(r).map { $0 + 0.05.squareRoot() } })
        XCTAssertGreaterThan(try c2st(shifted, reference: try reference("gaussian_linear", 0..<1000)).accuracy, 0.8)
    }

    /// For x ~ N(0, 1) and y ~ N(μ, 1) in one dimension and bandwidth σ,
    /// MMD² = 2σ / √(σ² + 2) · (1 − exp(−μ² / (2(σ² + 2)))).
    func testMMDAgainstTheClosedForm() throws {
        var rng = RandomStream(seed: 5, stream: "test")
        let mu = 1.0
        let x = try Matrix(rowArrays: (0..<3000).map { _ in [rng.normal()] })
        let y = try Matrix(rowArrays: (0..<3000).map { _ in [mu + rng.normal()] })
        let result = try MMD.compute(y, reference: x)
        let s2 = result.bandwidth * result.bandwidth
        let expected = 2 * result.bandwidth / (s2 + 2).squareRoot() * (1 - exp(-mu * mu / (2 * (s2 + 2))))
        XCTAssertEqual(result.mmd2, expected, accuracy: 0.1 * expected)
        // The median distance of two N(0, 1) draws: √2 · 0.6745 (the median of |N(0, 2)|).
        XCTAssertEqual(result.bandwidth, 2.0.squareRoot() * 0.6745, accuracy: 0.03)
        // The same distribution: the unbiased estimate is centred on zero.
        let z = try Matrix(rowArrays: (0..<3000).map { _ in [rng.normal()] })
        XCTAssertEqual(try MMD.compute(z, reference: x).mmd2, 0, accuracy: 0.003)
    }

    func testMismatchedDimensionsAreRefused() throws {
        XCTAssertThrowsError(try c2st(try reference("two_moons", 0..<10), reference: try reference("slcp", 0..<10)))
        XCTAssertThrowsError(try MMD.compute(try reference("two_moons", 0..<10), reference: try reference("slcp", 0..<10)))
    }
}
