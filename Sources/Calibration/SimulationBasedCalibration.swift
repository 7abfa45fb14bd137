import Datasets
import Foundation
import Random
import Simulators

/// Simulation-based calibration (Talts et al. 2018) of a posterior estimator: θ* from the
/// prior, y* from the simulator, L posterior samples given y*, and the rank of θ* among
/// them, repeated n times. An exact posterior gives uniform ranks and nominal coverage.
public struct SimulationBasedCalibration {
    /// Posterior samples for each row of `observations`: `count` rows per observation,
    /// drawn with `seed`. Every observation is passed in one call, so that a sampler can
    /// share its batches among them.
    public typealias Posterior = (_ observations: Matrix, _ count: Int, _ seed: UInt64) throws -> [Matrix]
    /// log q(θ | y) for each row of `theta`, given the one observation `y`; with `name`,
    /// which the report gives: "exact", or how the density is estimated.
    public typealias Density = (name: String, logDensity: (_ theta: Matrix, _ y: Matrix) throws -> [Double])

    public var simulations = 200
    public var samples = 1000
    /// Rank histogram bins; nil chooses about 20 simulations per bin, between 2 and 20 bins.
    public var bins: Int?
    public var seed: UInt64 = 1
    public var threads = 2
    /// With a density, the report adds the coverage of highest-density regions.
    public var density: Density?

    public init() {}

    public var binCount: Int { bins ?? min(20, max(2, simulations / 20)) }

    public func run(_ simulator: any Simulator, posterior: Posterior) throws -> CalibrationReport {
        try checkSettings()
        // The simulations come from their own stream of the seed: with the same seed as
        // training, they are new data, not the first rows of the training set.
        let calibrationSeed = RandomStream(seed: seed, stream: "calibrate").key
        let simulated = simulateDataset(simulator, count: simulations, seed: calibrationSeed, threads: threads)
        return try run(theta: simulated.theta, y: simulated.y, names: simulator.parameterNames, source: simulator.name,
                       posterior: posterior)
    }

    /// Calibration on pairs (θ*, y*) drawn from the prior and the simulator elsewhere, such as
    /// a user's held-out simulations, as sbi's run_sbc takes them; `simulations` is not used.
    /// Rows holding NaN or ±∞ are dropped and counted.
    public func run(theta givenTheta: Matrix, y givenY: Matrix, names: [String], source: String,
                    posterior: Posterior) throws -> CalibrationReport {
        try checkSettings()
        let bins = binCount
        guard givenTheta.rows == givenY.rows else {
            throw CalibrationError("θ has \(givenTheta.rows) rows and y \(givenY.rows); they must be pairs, one a row")
        }
        guard names.count == givenTheta.columns else {
            throw CalibrationError("\(names.count) parameter names for θ's \(givenTheta.columns) columns")
        }
        let (theta, y) = removingFailedSimulations(theta: givenTheta, y: givenY)
        guard theta.rows > 0 else { throw CalibrationError("every simulation failed") }

        let draws = try posterior(y, samples, seed)
        let d = theta.columns
        guard draws.count == theta.rows, draws.allSatisfy({ $0.rows >= samples && $0.columns == d }) else {
            throw CalibrationError("the posterior returned \(draws.count) sample sets for \(theta.rows) observations, "
                                   + "or sets of the wrong shape (expected \(samples) × \(d))")
        }
        let maximum = Ranks.usableSampleCount(samples, bins: bins)
        let tieBreaking = RandomStream(seed: seed, stream: "ranks")
        let ranks = (0..<theta.rows).map { row in
            var rng = tieBreaking.substream(UInt64(row))
            return Ranks.ranks(of: theta.rowArray(row), among: draws[row], count: maximum, rng: &rng)
        }
        var highestDensity: HighestDensityCalibration?
        if let density {
            let tieBreaking = RandomStream(seed: seed, stream: "density ranks")
            let ranks = try (0..<theta.rows).map { row -> Int in
                var points = Matrix(rows: maximum + 1, columns: d)
                for j in 0..<d { points[0, j] = theta[row, j] }
                points.values.replaceSubrange(d..., with: draws[row].values.prefix(maximum * d))
                let values = try density.logDensity(points, try Matrix(rowArrays: [y.rowArray(row)]))
                var rng = tieBreaking.substream(UInt64(row))
                return HighestDensityCalibration.rank(of: values[0], among: values[1...], rng: &rng)
            }
            highestDensity = HighestDensityCalibration(ranks: ranks, maximum: maximum, bins: bins, density: density.name)
        }
        let dimensions = (0..<d).map { i in
            let column = ranks.map { $0[i] }
            let counts = Ranks.histogram(column, maximum: maximum, bins: bins)
            return DimensionCalibration(name: names[i], rankHistogram: counts,
                                        coverage: Coverage.coverage(ranks: column, maximum: maximum))
        }
        return CalibrationReport(task: source, simulations: theta.rows, simulationsDropped: givenTheta.rows - theta.rows,
                                 posteriorSamples: samples, rankMaximum: maximum, bins: bins, seed: seed,
                                 dimensions: dimensions, ranks: ranks, highestDensity: highestDensity)
    }

    private func checkSettings() throws {
        guard simulations > 0, samples > 0 else { throw CalibrationError("the numbers of simulations and samples must be positive") }
        guard binCount >= 2, samples + 1 >= binCount else {
            throw CalibrationError("\(binCount) bins need at least \(binCount - 1) posterior samples per simulation, and at least 2 bins")
        }
    }
}

/// What simulation-based calibration found, per dimension and overall; encodes as the JSON
/// `sbic calibrate` prints.
public struct CalibrationReport: Encodable {
    public var task: String
    public var simulations: Int
    public var simulationsDropped: Int
    public var posteriorSamples: Int
    /// Ranks run from 0 to this number of samples (see `Ranks.usableSampleCount`).
    public var rankMaximum: Int
    public var bins: Int
    public var seed: UInt64
    public var band: UniformBand
    public var dimensions: [DimensionCalibration]
    public var credibilityLevels = Coverage.levels
    public var coverageDefinition = Coverage.definition
    /// The smallest p-value times the number of dimensions (Bonferroni), capped at 1: the
    /// p-value of "every dimension is uniform", valid whatever the dependence between them.
    public var combinedPValue: Double
    /// One row per simulation, one rank per dimension; not encoded (written as a table).
    public var ranks: [[Int]]
    /// The joint coverage of highest-density regions, where the posterior has a density.
    public var highestDensity: HighestDensityCalibration?

    init(task: String, simulations: Int, simulationsDropped: Int, posteriorSamples: Int, rankMaximum: Int, bins: Int,
         seed: UInt64, dimensions: [DimensionCalibration], ranks: [[Int]], highestDensity: HighestDensityCalibration? = nil) {
        self.highestDensity = highestDensity
        self.task = task; self.simulations = simulations; self.simulationsDropped = simulationsDropped
        self.posteriorSamples = posteriorSamples; self.rankMaximum = rankMaximum; self.bins = bins; self.seed = seed
        self.dimensions = dimensions; self.ranks = ranks
        band = UniformBand(simulations: simulations, bins: bins)
        combinedPValue = min(1, (dimensions.map(\.pValue).min() ?? 1) * Double(dimensions.count))
    }

    enum CodingKeys: String, CodingKey {
        case task, simulations, bins, seed, band, dimensions
        case simulationsDropped = "simulations_dropped", posteriorSamples = "posterior_samples"
        case rankMaximum = "rank_maximum", credibilityLevels = "credibility_levels"
        case coverageDefinition = "coverage_definition", combinedPValue = "p_value_bonferroni"
        case highestDensity = "highest_density"
    }
}

/// One parameter's rank histogram, its χ² test of uniformity and its coverage.
public struct DimensionCalibration: Encodable {
    public var name: String
    public var rankHistogram: [Int]
    public var chiSquare: Double
    public var degreesOfFreedom: Int
    public var pValue: Double
    /// At `Coverage.levels`.
    public var coverage: [Double]

    init(name: String, rankHistogram: [Int], coverage: [Double]) {
        let test = UniformityTest(counts: rankHistogram)
        self.name = name; self.rankHistogram = rankHistogram; self.coverage = coverage
        chiSquare = test.chiSquare; degreesOfFreedom = test.degreesOfFreedom; pValue = test.pValue
    }

    enum CodingKeys: String, CodingKey {
        case name, coverage
        case rankHistogram = "rank_histogram", chiSquare = "chi_square", degreesOfFreedom = "degrees_of_freedom", pValue = "p_value"
    }
}

public struct CalibrationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
