import Datasets
import Random

/// Expected coverage of highest-density regions (Hermans et al. 2022): for each (θ*, y*),
/// the rank of log q(θ* | y*) among the log-densities of L posterior samples given y*,
/// counted as the number of samples of higher density. θ* lies inside the α-HDR when fewer
/// than α·(L + 1) samples are denser. Unlike the per-dimension ranks it is one joint
/// statistic: an exact posterior gives uniform ranks on 0…L and coverage α at every level,
/// whatever the dimension; an overconfident one leaves θ* in its tails, ranked high.
public struct HighestDensityCalibration: Encodable {
    /// How the densities were computed: "exact", or the IWAE bound and its K.
    public var density: String
    public var rankHistogram: [Int]
    public var chiSquare: Double
    public var degreesOfFreedom: Int
    public var pValue: Double
    /// At `Coverage.levels`.
    public var coverage: [Double]
    /// One rank per simulation; not encoded.
    public var ranks: [Int]
    public var definition = Self.coverageDefinition

    public static let coverageDefinition = "joint: θ* inside the α-highest-density region, fewer than α·(L + 1) of its L posterior samples denser"

    public init(ranks: [Int], maximum: Int, bins: Int, density: String) {
        self.ranks = ranks
        self.density = density
        rankHistogram = Ranks.histogram(ranks, maximum: maximum, bins: bins)
        let test = UniformityTest(counts: rankHistogram)
        chiSquare = test.chiSquare; degreesOfFreedom = test.degreesOfFreedom; pValue = test.pValue
        coverage = Coverage.levels.map { alpha in
            ranks.isEmpty ? .nan : Double(ranks.filter { Double($0 + 1) <= alpha * Double(maximum + 1) + 1e-9 }.count) / Double(ranks.count)
        }
    }

    /// The number of `samples` denser than `truth` (log-densities), ties broken at random.
    public static func rank(of truth: Double, among samples: ArraySlice<Double>, rng: inout RandomStream) -> Int {
        var above = 0, equal = 0
        for value in samples {
            if value > truth { above += 1 } else if value == truth { equal += 1 }
        }
        return above + (equal > 0 ? Int(rng.next() % UInt64(equal + 1)) : 0)
    }

    enum CodingKeys: String, CodingKey {
        case density, coverage, definition
        case rankHistogram = "rank_histogram", chiSquare = "chi_square", degreesOfFreedom = "degrees_of_freedom", pValue = "p_value"
    }
}
