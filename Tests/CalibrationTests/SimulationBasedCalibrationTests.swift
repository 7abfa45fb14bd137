import Calibration
import Datasets
import Random
import Simulators
import XCTest

/// gaussian_linear has the closed-form posterior N(y/2, 0.05·I): sampled directly, it must
/// pass calibration, and the same family with the wrong spread or centre must fail it.
final class SimulationBasedCalibrationTests: XCTestCase {
    /// Samples of N(y/2 + shift, variance·I) for each observation y.
    static func gaussianPosterior(variance: Double, shift: Double = 0) -> SimulationBasedCalibration.Posterior {
        { observations, count, seed in
            var rng = RandomStream(seed: seed, stream: "test posterior")
            return (0..<observations.rows).map { row in
                var m = Matrix(rows: count, columns: observations.columns)
                for i in 0..<count {
                    for j in 0..<observations.columns {
                        m[i, j] = observations[row, j] / 2 + shift + variance.squareRoot() * rng.normal()
                    }
                }
                return m
            }
        }
    }

    func calibrate(_ posterior: SimulationBasedCalibration.Posterior) throws -> CalibrationReport {
        var sbc = SimulationBasedCalibration()
        sbc.simulations = 200
        sbc.samples = 500
        sbc.seed = 3
        return try sbc.run(GaussianLinear(), posterior: posterior)
    }

    func testTheExactPosteriorIsCalibrated() throws {
        let report = try calibrate(Self.gaussianPosterior(variance: 0.05))
        XCTAssertEqual(report.simulations, 200)
        XCTAssertEqual(report.bins, 10)
        XCTAssertEqual(report.rankMaximum, 499)
        XCTAssertEqual(report.dimensions.count, 10)
        // Ten χ² tests at once: no p-value below 0.1%/10 unless the ranks are not uniform.
        XCTAssertGreaterThan(report.combinedPValue, 0.01, "\(report.dimensions.map(\.pValue))")
        for dimension in report.dimensions {
            XCTAssertEqual(dimension.rankHistogram.reduce(0, +), 200)
            XCTAssertGreaterThan(dimension.pValue, 0.001, dimension.name)
        }
        // Coverage ≈ nominal: each dimension within 4 binomial standard deviations (0.14 at
        // α = ½ for n = 200), their mean within 0.05.
        for (k, alpha) in report.credibilityLevels.enumerated() {
            let values = report.dimensions.map { $0.coverage[k] }
            let tolerance = 4 * (alpha * (1 - alpha) / 200).squareRoot() + 0.01
            for v in values { XCTAssertEqual(v, alpha, accuracy: tolerance, "level \(alpha)") }
            XCTAssertEqual(values.reduce(0, +) / 10, alpha, accuracy: 0.05, "level \(alpha)")
        }
    }

    func testATooNarrowPosteriorFails() throws {
        let report = try calibrate(Self.gaussianPosterior(variance: 0.005))
        for dimension in report.dimensions {
            XCTAssertLessThan(dimension.pValue, 1e-6, dimension.name)
            // Ranks pile up at both ends (a ∪ shape), and the central half-interval covers far too few.
            let counts = dimension.rankHistogram
            XCTAssertGreaterThan(counts.first! + counts.last!, 2 * counts[4...5].reduce(0, +))
            XCTAssertLessThan(dimension.coverage[10], 0.3)
        }
    }

    func testABiasedPosteriorFails() throws {
        let report = try calibrate(Self.gaussianPosterior(variance: 0.05, shift: 0.3))
        for dimension in report.dimensions {
            XCTAssertLessThan(dimension.pValue, 1e-6, dimension.name)
            // Samples sit above θ*, so ranks pile up low.
            XCTAssertGreaterThan(dimension.rankHistogram.first!, dimension.rankHistogram.last!)
        }
    }

    /// The closing line: a pass for the exact posterior, the failing parameters (all ten, with
    /// their coverage) for one a tenth as wide.
    func testTheVerdictLine() throws {
        let exact = try calibrate(Self.gaussianPosterior(variance: 0.05))
        XCTAssertTrue(exact.verdict.hasPrefix("calibrated: the ranks of every parameter pass as uniform"), exact.verdict)
        let narrow = try calibrate(Self.gaussianPosterior(variance: 0.005))
        XCTAssertTrue(narrow.verdict.hasPrefix("miscalibrated: parameter_1 (p = "), narrow.verdict)
        XCTAssertEqual(narrow.verdict.components(separatedBy: "too narrow or off-centre").count - 1, 10, narrow.verdict)
        let coverage = try XCTUnwrap(narrow.verdict.firstMatch(of: #/50 % intervals cover (\d+) %/#)?.1)
        XCTAssertEqual(Int(coverage), Int((100 * narrow.dimensions[0].coverage[10]).rounded()))
    }

    /// Held-out pairs given directly rank exactly as the same pairs simulated by the run.
    func testHeldOutPairsGiveTheSameReportAsTheirSimulation() throws {
        var sbc = SimulationBasedCalibration()
        sbc.simulations = 100
        sbc.samples = 200
        sbc.seed = 4
        let posterior = Self.gaussianPosterior(variance: 0.05)
        var seen: Matrix?
        let simulated = try sbc.run(GaussianLinear()) { observations, count, seed in
            seen = observations
            return try posterior(observations, count, seed)
        }
        // The simulated pairs, recovered: θ from the simulator's own stream, as the run drew them.
        let pairs = simulateDataset(GaussianLinear(), count: 100, seed: RandomStream(seed: 4, stream: "calibrate").key, threads: 2)
        XCTAssertEqual(pairs.y, seen)
        var names = GaussianLinear().parameterNames
        names[0] = "mu"
        let heldOut = try sbc.run(theta: pairs.theta, y: pairs.y, names: names, source: "held-out", posterior: posterior)
        XCTAssertEqual(heldOut.ranks, simulated.ranks)
        XCTAssertEqual(heldOut.dimensions.map(\.pValue), simulated.dimensions.map(\.pValue))
        XCTAssertEqual(heldOut.dimensions[0].name, "mu")
        XCTAssertThrowsError(try sbc.run(theta: pairs.theta, y: Matrix(rows: 99, columns: 10), names: names, source: "held-out",
                                         posterior: posterior)) { error in
            XCTAssertEqual("\(error)", "θ has 100 rows and y 99; they must be pairs, one a row")
        }
    }

    func testCalibrationDataAreNotTheTrainingData() throws {
        var seen: Matrix?
        var sbc = SimulationBasedCalibration()
        sbc.simulations = 5
        sbc.samples = 9
        _ = try sbc.run(GaussianLinear()) { observations, count, seed in
            seen = observations
            return try Self.gaussianPosterior(variance: 0.05)(observations, count, seed)
        }
        let training = simulateDataset(GaussianLinear(), count: 5, seed: 1)
        XCTAssertNotEqual(seen, training.y)
    }

    func testAWrongPosteriorShapeIsAnError() {
        var sbc = SimulationBasedCalibration()
        sbc.simulations = 4
        XCTAssertThrowsError(try sbc.run(GaussianLinear()) { observations, count, _ in
            [Matrix](repeating: Matrix(rows: count, columns: 3), count: observations.rows)
        })
    }
}

/// Highest-density coverage with gaussian_linear's exact density, and with the density of a
/// posterior of the wrong spread: what the joint ranks must show.
final class HighestDensityCalibrationTests: XCTestCase {
    /// log N(θ; y/2, variance·I), in float64.
    func gaussianDensity(variance: Double) -> SimulationBasedCalibration.Density {
        ("exact", { theta, y in
            (0..<theta.rows).map { r in
                (0..<theta.columns).reduce(0) { total, j in
                    let residual = theta[r, j] - y[0, j] / 2
                    return total - 0.5 * (log(2 * Double.pi * variance) + residual * residual / variance)
                }
            }
        })
    }

    func calibrate(variance: Double) throws -> CalibrationReport {
        var sbc = SimulationBasedCalibration()
        sbc.simulations = 200
        sbc.samples = 500
        sbc.seed = 3
        sbc.density = gaussianDensity(variance: variance)
        return try sbc.run(GaussianLinear(), posterior: SimulationBasedCalibrationTests.gaussianPosterior(variance: variance))
    }

    func testTheExactPosteriorCoversItsHighestDensityRegions() throws {
        let report = try calibrate(variance: 0.05)
        let hdr = try XCTUnwrap(report.highestDensity)
        XCTAssertEqual(hdr.density, "exact")
        XCTAssertEqual(hdr.rankHistogram.reduce(0, +), 200)
        XCTAssertGreaterThan(hdr.pValue, 0.001, "\(hdr.rankHistogram)")
        for (k, alpha) in report.credibilityLevels.enumerated() {
            XCTAssertEqual(hdr.coverage[k], alpha, accuracy: 4 * (alpha * (1 - alpha) / 200).squareRoot() + 0.01, "level \(alpha)")
        }
        XCTAssertEqual(hdr.coverage.first, 0)
        XCTAssertEqual(hdr.coverage.last, 1)
        // The report carries it by name.
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        XCTAssertTrue(json.contains("\"highest_density\""), json)
    }

    /// Ten times too narrow in ten dimensions: θ* lies outside nearly every sample's density
    /// contour, so it ranks last and the 50 % region covers almost nothing; ten times too wide,
    /// θ* is denser than nearly every sample and every region covers it.
    func testAWrongSpreadShowsInTheJointRanks() throws {
        let narrow = try XCTUnwrap(try calibrate(variance: 0.005).highestDensity)
        XCTAssertLessThan(narrow.pValue, 1e-6)
        XCTAssertLessThan(narrow.coverage[10], 0.05)
        XCTAssertGreaterThan(narrow.rankHistogram.last!, 150)
        let wide = try XCTUnwrap(try calibrate(variance: 0.5).highestDensity)
        XCTAssertLessThan(wide.pValue, 1e-6)
        XCTAssertGreaterThan(wide.coverage[2], 0.9, "even the 10 % region covers θ*")
    }

    func testWithoutADensityThereIsNoEntry() throws {
        var sbc = SimulationBasedCalibration()
        sbc.simulations = 40
        sbc.samples = 99
        let report = try sbc.run(GaussianLinear(), posterior: SimulationBasedCalibrationTests.gaussianPosterior(variance: 0.05))
        XCTAssertNil(report.highestDensity)
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(report), as: UTF8.self).contains("highest_density"))
    }
}
