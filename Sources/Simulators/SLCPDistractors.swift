import Foundation
import Random

/// sbibm `slcp_distractors` (tasks.md §6): the 8 slcp numbers plus 92 θ-independent
/// draws from a mixture of 20 multivariate Student-t distributions (df = 2), all 100
/// scattered by a fixed permutation.
public struct SLCPDistractors: Simulator {
    public static let distractorCount = 92

    public let name = "slcp_distractors"
    public let parameterNames = numberedParameters(5)
    public let observationDimension = 100
    public let prior = SLCP().prior

    public init() {}

    public func simulate(_ theta: [Double], _ rng: inout RandomStream) -> [Double] {
        guard theta.count == 5 else { return invalidObservation }
        let constants = SLCPDistractorConstants.shared
        let w = SLCP.points(theta, &rng) + Self.distractors(constants, &rng)
        return constants.permutation.map { w[$0] }
    }

    /// One draw of the distractor mixture: pick a component k uniformly and return
    /// μ_k + L_k·z / √E with z ~ N(0, I₉₂) and E ~ Exp(1), since χ²₂ / 2 ~ Exp(1).
    static func distractors(_ constants: SLCPDistractorConstants,
                            _ rng: inout RandomStream) -> [Double] {
        let n = distractorCount
        let k = rng.index(below: constants.locations.count)
        var z = [Double](repeating: 0, count: n)
        for i in 0..<n { z[i] = rng.normal() }
        let scale = 1 / rng.exponential().squareRoot()
        let location = constants.locations[k]
        return constants.scaleTrils[k].withUnsafeBufferPointer { l in
            (0..<n).map { i in
                var sum = 0.0
                for j in 0...i { sum += l[i * n + j] * z[j] }
                return location[i] + scale * sum
            }
        }
    }

    /// The 8 informative positions of x: `informativePositions[i]` holds slcp's x[i].
    public static var informativePositions: [Int] {
        var positionOf = [Int](repeating: 0, count: 100)
        for (position, source) in SLCPDistractorConstants.shared.permutation.enumerated() {
            positionOf[source] = position
        }
        return Array(positionOf.prefix(8))
    }
}

/// The distractor mixture and the permutation, regenerated exactly as sbibm made them
/// (tasks.md §6): numpy's legacy generator seeded with 42, then 20 locations
/// μ_k = 15·normal(92), then 20 scale factors L_k = 3·(tril(normal(92×92)) +
/// diag(exp(normal(92)))), then permutation(100). Regenerating avoids shipping 1.3 MB of
/// constants; the tests compare with sbibm's files.
public struct SLCPDistractorConstants: Sendable {
    /// μ_k, 20 × 92.
    public let locations: [[Double]]
    /// L_k, 20 lower-triangular 92 × 92 matrices, row-major.
    public let scaleTrils: [[Double]]
    /// x[k] = w[permutation[k]], 0-based.
    public let permutation: [Int]

    public static let shared = SLCPDistractorConstants()

    private init() {
        let n = SLCPDistractors.distractorCount
        let components = 20
        var numpy = LegacyRandomState(seed: 42)
        locations = (0..<components).map { _ in numpy.standardNormal(count: n).map { 15 * $0 } }
        scaleTrils = (0..<components).map { _ in
            var l = numpy.standardNormal(count: n * n)
            let diagonal = numpy.standardNormal(count: n)
            for i in 0..<n {
                for j in (i + 1)..<n { l[i * n + j] = 0 }
                l[i * n + i] += exp(diagonal[i])
            }
            return l.map { 3 * $0 }
        }
        permutation = numpy.permutation(100)
    }
}
