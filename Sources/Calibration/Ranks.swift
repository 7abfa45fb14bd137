import Datasets
import Random

/// The rank statistic of simulation-based calibration (Talts et al. 2018): for a θ* drawn
/// from the prior and L posterior samples given data simulated at θ*, the number of samples
/// below θ*ᵢ in each dimension i. When the posterior is exact, each rank is uniform on
/// 0…L, whatever the prior and simulator.
public enum Ranks {
    /// The rank of each coordinate of `truth` among the first `count` rows of `samples`.
    /// Ties, which a posterior with atoms (or float32 rounding) can produce, are broken at
    /// random so that they do not bias the ranks.
    public static func ranks(of truth: [Double], among samples: Matrix, count: Int,
                             rng: inout RandomStream) -> [Int] {
        truth.indices.map { i in
            var below = 0, equal = 0
            for row in 0..<count {
                let value = samples[row, i]
                if value < truth[i] { below += 1 } else if value == truth[i] { equal += 1 }
            }
            return below + (equal > 0 ? Int(rng.next() % UInt64(equal + 1)) : 0)
        }
    }

    /// The number of samples to rank against, from `available`: the largest L with L + 1 a
    /// multiple of `bins`, so that every bin of the rank histogram covers the same number
    /// of rank values and expects the same count (Talts et al. choose L this way).
    public static func usableSampleCount(_ available: Int, bins: Int) -> Int {
        (available + 1) / bins * bins - 1
    }

    /// Counts of `ranks` (each in 0…`maximum`) in `bins` bins of equal width.
    public static func histogram(_ ranks: [Int], maximum: Int, bins: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: bins)
        for r in ranks { counts[min(r * bins / (maximum + 1), bins - 1)] += 1 }
        return counts
    }
}
