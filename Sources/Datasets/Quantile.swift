/// The q-quantile (0 ≤ q ≤ 1) of sorted values, interpolating linearly between order
/// statistics (numpy's default); NaN for no values.
public func quantile(sorted values: [Double], _ q: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let position = q * Double(values.count - 1)
    let below = Int(position.rounded(.down)), above = min(below + 1, values.count - 1)
    return values[below] + (position - Double(below)) * (values[above] - values[below])
}
