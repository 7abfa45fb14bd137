import Foundation

extension CalibrationReport {
    /// Ranks pass as uniform when every dimension's p-value, times the number of dimensions
    /// (Bonferroni), is at least this.
    public static let passLevel = 0.01

    /// One plain line: "calibrated: …" when every dimension's ranks pass as uniform, else
    /// "miscalibrated: …" naming each parameter that fails, with its p-value and what its
    /// central 50 % intervals cover (below 50 %: too narrow or off-centre; above: too wide).
    public var verdict: String {
        let d = Double(dimensions.count)
        let failing = dimensions.filter { min(1, $0.pValue * d) < Self.passLevel }
        let smallest = dimensions.map(\.pValue).min() ?? 1
        guard !failing.isEmpty else {
            return String(format: "calibrated: the ranks of every parameter pass as uniform (smallest p-value %.2g, "
                          + "%.2g after Bonferroni over %d ≥ %.2g)", smallest, combinedPValue, dimensions.count, Self.passLevel)
        }
        let half = Coverage.levels.firstIndex(of: 0.5)!
        let named = failing.map { dimension in
            let covered = dimension.coverage[half]
            let reading = covered < 0.5 ? "too narrow or off-centre" : "too wide"
            return String(format: "%@ (p = %.2g; 50 %% intervals cover %.0f %%: %@)", dimension.name, dimension.pValue,
                          100 * covered, reading)
        }
        return "miscalibrated: " + named.joined(separator: ", ")
    }
}
