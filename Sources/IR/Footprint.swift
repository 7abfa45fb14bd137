/// How much memory a graph needs to run. Sizes come from files that people write, so the
/// arithmetic saturates at `Int.max` instead of trapping: an absurd size must reach the
/// memory check and be reported there with its number.
extension Graph {
    /// Bytes of parameter storage: weights and, once the optimizer is in, its state.
    public var parameterBytes: Int {
        parameters.reduce(0) { saturatingAdd($0, saturatingMultiply($1.shape.count, 4)) }
    }

    /// Bytes of the arenas of `programs` (all of them when nil) that are held at once.
    public func arenaBytes(of programs: [String]? = nil) -> Int {
        self.programs.filter { programs?.contains($0.name) ?? true }
            .reduce(0) { saturatingAdd($0, $1.memory?.arenaBytes ?? 0) }
    }
}

public func saturatingAdd(_ a: Int, _ b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int.max : sum
}

public func saturatingMultiply(_ a: Int, _ b: Int) -> Int {
    let (product, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? Int.max : product
}

/// A byte count for people: "512 B", "1.5 MiB", "11.3 TiB".
public func formatBytes(_ bytes: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = Double(bytes), unit = 0
    while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
    guard unit > 0 else { return "\(bytes) B" }
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[unit])"
}
