import Foundation

/// A box: lower_i ≤ x_i ≤ upper_i for each component i.
public struct Box: Hashable, Sendable {
    public let lower: [Double]
    public let upper: [Double]

    /// The bounds of each component; `lower` and `upper` have one entry per component, lower < upper.
    public init(lower: [Double], upper: [Double]) {
        self.lower = lower; self.upper = upper
    }

    /// The same interval for each of `size` components.
    public init(_ interval: ClosedRange<Double>, size: Int) {
        self.init(lower: Array(repeating: interval.lowerBound, count: size),
                  upper: Array(repeating: interval.upperBound, count: size))
    }

    public var size: Int { lower.count }

    /// Whether every component of `x` lies in its closed interval.
    public func contains<C: Collection>(_ x: C) -> Bool where C.Element: BinaryFloatingPoint {
        x.count == size && zip(x, zip(lower, upper)).allSatisfy { Double($0) >= $1.0 && Double($0) <= $1.1 }
    }

    /// Consecutive components with the same interval, as (first component, count, lower, upper):
    /// the graph transforms each run with scalar constants, so the sbibm boxes, whose
    /// components share one interval, cost no slicing at all.
    var runs: [(start: Int, count: Int, lower: Double, upper: Double)] {
        var runs: [(start: Int, count: Int, lower: Double, upper: Double)] = []
        for i in 0..<size {
            if let last = runs.last, last.lower == lower[i], last.upper == upper[i] {
                runs[runs.count - 1].count += 1
            } else {
                runs.append((i, 1, lower[i], upper[i]))
            }
        }
        return runs
    }
}

/// Support on a box for any family: the family describes an unbounded s, and the variable is
/// x = lo + (hi − lo)·σ(s) componentwise, so that every sample lies in the box. Its density is
/// the family's at s = logit(u), u = (x − lo) / (hi − lo), times the Jacobian of x ↦ s:
///   −log p(x) = −log p_s(logit u) + Σ_i log((hi_i − lo_i) · u_i (1 − u_i)),
/// using σ(s) = u and 1 − σ(s) = 1 − u. It wraps the family's `sample` and
/// `negativeLogDensity` and asks nothing else of it, so every family can be bounded.
public struct BoundedSupport: Hashable, Sendable {
    public let box: Box

    /// u is clamped into [margin, 1 − margin] before the logit: data on the boundary itself
    /// (a prior's bound, or a value that rounding to float32 carried onto it) would otherwise
    /// give s = ±∞ and an infinite loss that stops training. 1e-6 is well above float32's
    /// spacing below 1 (6e-8), so 1 − margin is not 1; it keeps |s| ≤ 13.8.
    public static let margin: Float = 1e-6

    public init(_ box: Box) { self.box = box }

    /// lo + (hi − lo)·σ(s) for the family's sample s, [batch, size], clamped to [lo, hi]: where
    /// σ saturates to 1, lo + (hi − lo) rounded in float32 may land an ulp beyond hi.
    public func sample(_ b: inout Builder, of family: any DistributionFamily, heads: [Int], noise: [Int], size: Int,
                       context: SamplingContext) throws -> Int {
        let s = try family.sample(&b, heads: heads, noise: noise, size: size, context: context)
        return try componentwise(&b, s) { b, s, lower, width in
            let x = try b.add(b.mul(b.unary(.sigmoid, s), constant: Float(width)), constant: Float(lower))
            return try b.unary(.clamp(low: Float(lower), high: Float(lower + width)), x)
        }
    }

    /// −log p_s(logit u) + Σ_i [log u_i + log(1 − u_i)] + Σ_i log(hi_i − lo_i), [batch].
    public func negativeLogDensity(_ b: inout Builder, of family: any DistributionFamily, at x: Int, heads: [Int],
                                   size: Int) throws -> Int {
        let (low, high) = (Self.margin, 1 - Self.margin)
        let u = try componentwise(&b, x) { b, x, lower, width in
            try b.unary(.clamp(low: low, high: high), b.binary(.div, b.add(x, constant: Float(-lower)), b.constant(Float(width))))
        }
        let logU = try b.unary(.log, u)
        let logComplement = try b.unary(.log, b.sub(b.constant(1), u))
        let s = try b.sub(logU, logComplement)
        let base = try family.negativeLogDensity(&b, of: s, heads: heads, size: size)
        let logWidths = zip(box.lower, box.upper).reduce(0.0) { $0 + log($1.1 - $1.0) }
        let jacobian = try b.add(b.add(.sum(axis: 1), [b.add(logU, logComplement)]), constant: Float(logWidths))
        return try b.add(base, jacobian)
    }

    /// `transform(x, lo, hi − lo)` applied to each run of components with one interval, the
    /// runs' results put back side by side.
    private func componentwise(_ b: inout Builder, _ x: Int,
                               _ transform: (inout Builder, Int, Double, Double) throws -> Int) throws -> Int {
        let runs = box.runs
        let parts = try runs.map { run -> Int in
            let columns = runs.count == 1 ? x : try b.add(.slice(start: run.start, count: run.count), [x])
            return try transform(&b, columns, run.lower, run.upper - run.lower)
        }
        return parts.count == 1 ? parts[0] : try b.add(.concat, parts)
    }
}
