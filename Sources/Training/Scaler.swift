import Datasets
import Foundation
import IR

/// Per-column affine scaling, fitted on the training split: x' = (x − shift) / scale, of x or,
/// for `logStandard`, of ln x.
public struct Scaler: Codable, Equatable, Sendable {
    public var kind: Scaling
    public var shift: [Double]
    public var scale: [Double]

    public init(kind: Scaling, shift: [Double], scale: [Double]) {
        self.kind = kind; self.shift = shift; self.scale = scale
    }

    /// Fits every column; a constant column gets scale 1 so that it maps to 0 instead of NaN.
    /// For `logStandard` every value must be positive (`Scaling.firstUnscalable` finds one that is not).
    ///
    /// A standard scale is at least half the smallest step between the column's distinct
    /// values: the standard deviation of a column that takes two values equally often. Below
    /// it lie only columns that are nearly constant, whose few other values standard scaling
    /// would put tens of units out. SIR's first count is 0 in 99.9 % of simulations and 1 in
    /// the rest: its standard deviation is 0.033, a 1 became 30, the encoder sent those rows to
    /// latent codes 25 times farther out than any other, the decoders' log-variances ran there to
    /// their clamp of −20, and those 11 rows of 10,000 made 96 % of the loss (docs/training.md).
    /// Continuous columns, and counts that vary, keep their standard deviation.
    public init(fitting m: Matrix, kind: Scaling) {
        self.kind = kind
        shift = []; scale = []
        for c in 0..<m.columns {
            let column = kind == .logStandard ? m.column(c).map { Foundation.log($0) } : m.column(c)
            let (s, k): (Double, Double)
            switch kind {
            case .none:
                (s, k) = (0, 1)
            case .standard, .logStandard:
                let (mean, deviation) = Self.meanAndDeviation(column)
                (s, k) = (mean, max(deviation, smallestStep(column) / 2))
            case .robust:
                let sorted = column.sorted()
                (s, k) = (quantile(sorted: sorted, 0.5), quantile(sorted: sorted, 0.75) - quantile(sorted: sorted, 0.25))
            }
            shift.append(s)
            scale.append(k > 0 && k.isFinite ? k : 1)
        }
    }

    /// The mean and the sample standard deviation, computed on the values divided by the largest
    /// magnitude: squares of values beyond 1e154, and sums beyond 1e308, overflow a 64-bit float.
    static func meanAndDeviation(_ column: [Double]) -> (Double, Double) {
        let largest = column.reduce(0) { max($0, abs($1)) }
        guard largest > 0, largest.isFinite else { return (0, 1) }
        let scaled = column.map { $0 / largest }
        let mean = scaled.reduce(0) { $0 + $1 / Double(scaled.count) }
        let variance = scaled.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(column.count - 1, 1))
        return (mean * largest, variance.squareRoot() * largest)
    }

    /// What is wrong with a scaler read from a file for data of `columns` columns, or nil:
    /// `apply` divides by every scale and indexes every column.
    public func problem(columns: Int) -> String? {
        guard shift.count == columns, scale.count == columns else {
            return "\(shift.count) shifts and \(scale.count) scales for \(columns) columns"
        }
        if let c = shift.indices.first(where: { !shift[$0].isFinite || !scale[$0].isFinite || !(scale[$0] > 0) }) {
            return "column \(c + 1) has shift \(shift[c]) and scale \(scale[c]); they must be finite and the scale positive"
        }
        return nil
    }

    /// Scaled float32 rows.
    public func apply(_ m: Matrix) -> [Float] {
        var out = [Float](repeating: 0, count: m.values.count)
        for r in 0..<m.rows {
            for c in 0..<m.columns {
                let x = kind == .logStandard ? Foundation.log(m[r, c]) : m[r, c]
                out[r * m.columns + c] = Float((x - shift[c]) / scale[c])
            }
        }
        return out
    }

    /// log |det ∂x'/∂x| at the row `x` in original units: what a log-density of the scaled
    /// values gains to become one of the original values. −Σ log scale for the affine
    /// scalings, and −Σ log x besides for `logStandard`, whose x' = (ln x − shift) / scale;
    /// −∞ where x ≤ 0, outside what a log-scaled variable can take.
    public func logJacobian<C: Collection<Double>>(at x: C) -> Double {
        var total = -scale.reduce(0) { $0 + Foundation.log($1) }
        if kind == .logStandard {
            for value in x {
                guard value > 0 else { return -.infinity }
                total -= Foundation.log(value)
            }
        }
        return total
    }

    /// Back to the original units.
    public func invert(_ values: UnsafeBufferPointer<Float>, columns: Int) -> [Double] {
        values.indices.map {
            let x = Double(values[$0]) * scale[$0 % columns] + shift[$0 % columns]
            return kind == .logStandard ? Foundation.exp(x) : x
        }
    }

}

extension Scaling {
    /// The first value, as (row, column) from 0, that this scaling cannot scale: a value
    /// that is not positive, for `logStandard`, whose logarithm would be −∞ or NaN.
    public func firstUnscalable(in m: Matrix, rows: [Int]? = nil) -> (row: Int, column: Int)? {
        guard self == .logStandard else { return nil }
        for r in rows ?? Array(0..<m.rows) {
            if let c = (0..<m.columns).first(where: { !(m[r, $0] > 0) }) { return (r, c) }
        }
        return nil
    }
}

/// The smallest distance between two distinct values, or 0 for a constant column.
private func smallestStep(_ column: [Double]) -> Double {
    let sorted = column.sorted()
    var step = Double.infinity
    for i in sorted.indices.dropFirst() where sorted[i] > sorted[i - 1] { step = min(step, sorted[i] - sorted[i - 1]) }
    return step.isFinite ? step : 0
}
