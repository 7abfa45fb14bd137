import Foundation

/// Maps data values in `domain` linearly onto pixel coordinates from `start` to `end`
/// (for a y axis, `start` is the bottom of the panel, so larger values go up).
public struct LinearScale: Sendable {
    public let lower: Double, upper: Double
    public let start: Double, end: Double

    /// A degenerate domain (all values equal) is widened to a unit interval around its value,
    /// so that one sample or a constant column still gives a readable axis.
    public init(domain: (lower: Double, upper: Double), range: (start: Double, end: Double)) {
        var (lower, upper) = domain
        if !(upper > lower) {
            let half = max(abs(lower) * 0.1, 0.5)
            (lower, upper) = (lower - half, lower + half)
        }
        self.lower = lower; self.upper = upper
        start = range.start; end = range.end
    }

    public func callAsFunction(_ value: Double) -> Double {
        start + (value - lower) / (upper - lower) * (end - start)
    }

    public func contains(_ value: Double) -> Bool { value >= lower && value <= upper }

    /// Round tick values inside the domain, as close to `count` of them as a step of 1, 2 or
    /// 5 times a power of ten allows, and never fewer than two when any such step gives two.
    /// Steps below `minimumStep` are not used (1 keeps epochs and ranks whole).
    public func ticks(_ count: Int, minimumStep: Double = 0) -> [(value: Double, label: String)] {
        let target = max(count, 2)
        let power = pow(10, floor(log10((upper - lower) / Double(target))))
        let steps = [0.1, 0.2, 0.5, 1, 2, 5, 10].map { $0 * power }.filter { $0 >= minimumStep }
        func values(_ step: Double) -> [Double] {
            let first = (lower / step).rounded(.up), last = (upper / step).rounded(.down)
            return first <= last ? stride(from: first, through: last, by: 1).map { $0 * step } : []
        }
        func miss(_ step: Double) -> Int {
            let n = values(step).count
            return n < 2 ? Int.max : abs(n - target)
        }
        // The widest step whose tick count is nearest the target: fewer, rounder labels.
        let step = steps.reversed().min { miss($0) < miss($1) } ?? max(power, minimumStep)
        let decimals = max(0, -Int(floor(log10(step) + 1e-9)))
        return values(step).map { ($0, Self.label($0, decimals: decimals, step: step)) }
    }

    /// Fixed decimals enough to tell neighbouring ticks apart; scientific notation for very
    /// large or very small values, where fixed decimals would be unreadable.
    static func label(_ value: Double, decimals: Int, step: Double) -> String {
        if abs(value) < step * 1e-6 { return "0" }
        if abs(value) >= 1e5 || step < 1e-4 { return String(format: "%.2g", value) }
        return String(format: "%.\(decimals)f", value)
    }
}
