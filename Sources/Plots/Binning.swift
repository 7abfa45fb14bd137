import Foundation

/// Counts of values in equal-width bins over [lower, upper]; values outside are left out.
/// The upper edge belongs to the last bin.
func histogram(_ values: [Double], lower: Double, upper: Double, bins: Int) -> [Double] {
    var counts = [Double](repeating: 0, count: bins)
    let width = (upper - lower) / Double(bins)
    for v in values where v >= lower && v <= upper {
        counts[min(Int((v - lower) / width), bins - 1)] += 1
    }
    return counts
}

/// Counts of (x, y) pairs on a bins × bins grid over the two ranges, row-major with x
/// varying fastest (cell (i, j) is x bin i, y bin j at index j * bins + i).
func histogram2D(x: [Double], y: [Double], xRange: (Double, Double), yRange: (Double, Double), bins: Int) -> [Double] {
    var counts = [Double](repeating: 0, count: bins * bins)
    let wx = (xRange.1 - xRange.0) / Double(bins), wy = (yRange.1 - yRange.0) / Double(bins)
    for (a, b) in zip(x, y) where a >= xRange.0 && a <= xRange.1 && b >= yRange.0 && b <= yRange.1 {
        let i = min(Int((a - xRange.0) / wx), bins - 1), j = min(Int((b - yRange.0) / wy), bins - 1)
        counts[j * bins + i] += 1
    }
    return counts
}

/// The grid blurred once by the kernel [1 2 1]/4 in each direction, so that contours of a
/// histogram follow the density rather than the sampling noise of single bins. The edges
/// are not padded: mass pushed past an edge is lost, which only lowers levels there.
func smoothed(_ grid: [Double], size n: Int) -> [Double] {
    func pass(_ g: [Double], _ index: (Int, Int) -> Int) -> [Double] {
        var out = g
        for j in 0..<n {
            for i in 0..<n {
                let left = i > 0 ? g[index(i - 1, j)] : 0, right = i < n - 1 ? g[index(i + 1, j)] : 0
                out[index(i, j)] = 0.25 * left + 0.5 * g[index(i, j)] + 0.25 * right
            }
        }
        return out
    }
    let alongX = pass(grid) { i, j in j * n + i }
    return pass(alongX) { i, j in i * n + j }
}

/// The density level whose superlevel set holds `mass` of the grid's total: the contour
/// of the smallest region of highest density with that probability.
func highestDensityLevel(_ grid: [Double], mass: Double) -> Double {
    let sorted = grid.sorted(by: >)
    let total = sorted.reduce(0, +)
    guard total > 0 else { return 0 }
    var cumulative = 0.0
    for v in sorted {
        cumulative += v
        if cumulative >= mass * total { return v }
    }
    return sorted.last ?? 0
}
