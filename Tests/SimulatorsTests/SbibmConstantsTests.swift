import Datasets
import Simulators
import XCTest

/// The task constants regenerated in code (numpy's legacy generator, sbibm's formulas)
/// against the files sbibm made.
final class SbibmConstantsTests: XCTestCase {
    /// `RandomState(42).randn(100)` cast to float32 is the stored stimulus.
    func testStimulus() throws {
        let stored = try SBIBM.taskFile(task: "bernoulli_glm", name: "stimulus_I.csv")
        XCTAssertEqual(stored.rows, 100)
        let stimulus = BernoulliGLMConstants.shared.stimulus
        for t in 0..<100 {
            // The CSV prints 9 significant digits, which identify a float32 exactly.
            XCTAssertEqual(Float(stored.values[t]), Float(stimulus[t]), "t = \(t)")
        }
    }

    func testDesignMatrixAndPrior() throws {
        let constants = BernoulliGLMConstants.shared
        for (file, values) in [("design_matrix.csv", constants.designMatrix),
                               ("prior_precision.csv", constants.priorPrecision),
                               ("prior_covariance.csv", constants.priorCovariance)] {
            let stored = try SBIBM.taskFile(task: "bernoulli_glm", name: file)
            XCTAssertEqual(stored.values.count, values.count, file)
            for (a, b) in zip(stored.values, values) {
                XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b)), file)
            }
        }
        // The prior std quoted in tasks.md §7.
        let std = (0..<10).map { constants.priorCovariance[$0 * 11].squareRoot() }
        let quoted = [1.4142, 1.0000, 1.6771, 1.8299, 1.5521, 1.2163, 1.1004, 1.0692, 0.9806, 0.8803]
        for (a, b) in zip(std, quoted) { XCTAssertEqual(a, b, accuracy: 6e-5) }
    }

    func testDistractorLocationsAndPermutation() throws {
        let constants = SLCPDistractorConstants.shared
        let locations = try SBIBM.taskFile(task: "slcp_distractors", name: "gmm_loc.csv")
        XCTAssertEqual([locations.rows, locations.columns], [20, 92])
        for k in 0..<20 {
            for i in 0..<92 {
                XCTAssertEqual(locations[k, i], constants.locations[k][i],
                               accuracy: 1e-9 * max(1, abs(locations[k, i])))
            }
        }
        let permutation = try SBIBM.taskFile(task: "slcp_distractors", name: "permutation_idx.csv")
        XCTAssertEqual(permutation.values.map { Int($0) }, constants.permutation)
        // tasks.md §6: w0→22, w1→33, w2→23, w3→67, w4→42, w5→21, w6→16, w7→90.
        XCTAssertEqual(SLCPDistractors.informativePositions, [22, 33, 23, 67, 42, 21, 16, 90])
    }

    /// Every row of gmm_scale_tril.csv (20 components × 92 rows, 10 significant digits).
    func testDistractorScaleFactors() throws {
        let constants = SLCPDistractorConstants.shared
        let stored = try SBIBM.taskFile(task: "slcp_distractors", name: "gmm_scale_tril.csv")
        XCTAssertEqual([stored.rows, stored.columns], [20 * 92, 2 + 92])
        var worst = 0.0
        for row in 0..<stored.rows {
            let k = Int(stored[row, 0])
            let i = Int(stored[row, 1])
            for j in 0..<92 {
                let a = stored[row, 2 + j]
                let b = constants.scaleTrils[k][i * 92 + j]
                worst = max(worst, abs(a - b) / max(1, abs(a)))
            }
        }
        XCTAssertLessThan(worst, 1e-9)
    }
}
