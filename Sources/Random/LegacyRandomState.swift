import Foundation

/// numpy's legacy `numpy.random.RandomState`, for the few algorithms sbibm used to make its
/// constants: `random_sample`, `standard_normal`/`randn`/`normal` and `permutation`.
/// Outputs equal numpy's bit for bit (numpy 1.17+ keeps these legacy streams frozen).
public struct LegacyRandomState: Sendable {
    private var twister: MT19937
    /// `standard_normal` makes normals in pairs and keeps the second for the next call.
    private var cachedNormal: Double?

    /// `numpy.random.RandomState(seed)` (and `numpy.random.seed(seed)`) for an integer seed.
    public init(seed: UInt32) {
        twister = MT19937(seed: seed)
    }

    /// `random_sample()`: a double in [0, 1) from 27 + 26 bits of two 32-bit outputs.
    public mutating func randomSample() -> Double {
        let a = Double(twister.next() >> 5)
        let b = Double(twister.next() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// `standard_normal()`: the legacy polar Box–Muller method, which returns the second
    /// value of a pair and caches the first.
    public mutating func standardNormal() -> Double {
        if let value = cachedNormal {
            cachedNormal = nil
            return value
        }
        var x1: Double
        var x2: Double
        var r2: Double
        repeat {
            x1 = 2 * randomSample() - 1
            x2 = 2 * randomSample() - 1
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1 || r2 == 0
        let f = (-2 * log(r2) / r2).squareRoot()
        cachedNormal = f * x1
        return f * x2
    }

    /// `randn(count)` or `standard_normal(count)`, in C order for multi-dimensional shapes.
    public mutating func standardNormal(count: Int) -> [Double] {
        (0..<max(count, 0)).map { _ in standardNormal() }
    }

    /// `normal(loc, scale)`.
    public mutating func normal(mean: Double, std: Double) -> Double {
        mean + std * standardNormal()
    }

    /// `permutation(count)`: `arange(count)` shuffled by the legacy in-place shuffle.
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<max(count, 0))
        var i = values.count - 1
        while i > 0 {
            values.swapAt(i, interval(UInt64(i)))
            i -= 1
        }
        return values
    }

    /// A uniform integer in 0...max by masked rejection (numpy's `random_interval`): on
    /// 32-bit outputs when max < 2³², on 64-bit outputs (two 32-bit ones) otherwise.
    private mutating func interval(_ max: UInt64) -> Int {
        guard max > 0 else { return 0 }
        var mask = max
        for shift: UInt64 in [1, 2, 4, 8, 16, 32] { mask |= mask >> shift }
        while true {
            let value: UInt64
            if max <= UInt64(UInt32.max) {
                value = UInt64(twister.next()) & mask
            } else {
                value = (UInt64(twister.next()) << 32 | UInt64(twister.next())) & mask
            }
            if value <= max { return Int(value) }
        }
    }
}
