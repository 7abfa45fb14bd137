import Datasets
import Foundation

/// A corner plot of posterior samples: for d parameters a d × d lower-triangular grid with
/// each parameter's histogram on the diagonal and a heat map of each pair below it.
/// Reference samples, when given, are drawn over them in orange (outlined histograms and
/// the contours that enclose 68% and 95% of their mass); true parameters are black lines
/// and points.
public struct CornerPlot {
    public var samples: Matrix
    public var names: [String]
    public var reference: Matrix?
    public var truth: [Double]?
    public var title: String?
    public var samplesLabel = "posterior samples"
    public var referenceLabel = "reference samples"
    public var truthLabel = "true parameters"

    public init(samples: Matrix, names: [String], reference: Matrix? = nil, truth: [Double]? = nil, title: String? = nil) {
        self.samples = samples; self.names = names; self.reference = reference; self.truth = truth; self.title = title
    }

    /// The most parameters a corner plot draws: it has a panel for each pair, and beyond this
    /// many the panels are too small to read and the file grows with the square.
    public static let maximumDimension = 30

    /// The mass enclosed by the reference contours.
    static let contourMasses = [0.68, 0.95]

    public func render() throws -> SVG {
        let d = samples.columns
        guard d >= 1 else { throw PlotError("the samples have no columns") }
        guard d <= Self.maximumDimension else {
            throw PlotError("\(d) parameters would make \(d) × \(d) panels; a corner plot draws at most \(Self.maximumDimension) parameters")
        }
        guard names.count == d else { throw PlotError("\(names.count) names for \(d) parameters") }
        if let reference, reference.columns != d {
            throw PlotError("the reference samples have \(reference.columns) columns, the samples \(d)")
        }
        if let truth, truth.count != d { throw PlotError("\(truth.count) true parameters for \(d) parameters") }
        let own = finiteColumns(samples)
        guard !own[0].isEmpty else { throw PlotError("no sample is finite in every coordinate") }
        let other = reference.map(finiteColumns)
        let layout = Layout(dimension: d, hasTitle: title != nil)
        let scales = (0..<d).map { k in
            Self.range(own[k] + (other?[k] ?? []), truth: truth?[k])
        }

        var svg = SVG(width: layout.width, height: layout.height)
        if let title { svg.text(title, layout.left, 22, size: 14, weight: "bold") }
        for i in 0..<d {
            for j in 0...i {
                let r = layout.panel(i, j)
                let x = LinearScale(domain: scales[j], range: (r.x, r.maxX))
                svg.beginGroup([("class", i == j ? "diagonal" : "pair"), ("data-row", "\(i)"), ("data-column", "\(j)")])
                if i == j {
                    drawDiagonal(&svg, r, x, own[j], other?[j], truth?[j], layout)
                } else {
                    let y = LinearScale(domain: scales[i], range: (r.maxY, r.y))
                    drawPair(&svg, r, x, y, (own[j], own[i]), other.map { ($0[j], $0[i]) },
                             truth.map { ($0[j], $0[i]) }, layout)
                    svg.yTicks(r, y, count: layout.tickCount, labels: j == 0, overhang: layout.gap / 2, size: layout.tickSize)
                }
                svg.xTicks(r, x, count: layout.tickCount, labels: i == d - 1, overhang: layout.gap / 2, size: layout.tickSize)
                svg.frame(r)
                svg.endGroup()
            }
        }
        for k in 0..<d {
            svg.xTitle(names[k], layout.panel(d - 1, k), size: layout.nameSize, offset: layout.tickSize + 24)
            if k > 0 { svg.yTitle(names[k], layout.panel(k, 0), size: layout.nameSize, offset: layout.left - 16) }
        }
        var entries = [LegendEntry("\(samplesLabel) (\(grouped(own[0].count)))", colour: Palette.samples, mark: .filled)]
        if let other { entries.append(LegendEntry("\(referenceLabel) (\(grouped(other[0].count)))", colour: Palette.reference, mark: .line(dash: nil))) }
        if truth != nil { entries.append(LegendEntry(truthLabel, colour: Palette.truth, mark: .point)) }
        svg.legend(entries, x: layout.legendRight - SVG.legendSize(entries).width, y: layout.top)
        return svg
    }

    /// Histograms as densities, so that sample sets of different sizes compare.
    private func drawDiagonal(_ svg: inout SVG, _ r: Rect, _ x: LinearScale, _ values: [Double], _ reference: [Double]?,
                              _ truth: Double?, _ layout: Layout) {
        let bins = layout.histogramBins
        let width = (x.upper - x.lower) / Double(bins)
        func density(_ v: [Double]) -> [Double] {
            histogram(v, lower: x.lower, upper: x.upper, bins: bins).map { $0 / (Double(max(v.count, 1)) * width) }
        }
        let own = density(values), other = reference.map(density)
        let top = max(own.max() ?? 0, other?.max() ?? 0)
        let y = LinearScale(domain: (0, top > 0 ? top * 1.08 : 1), range: (r.maxY, r.y))
        func outline(_ h: [Double]) -> [(x: Double, y: Double)] {
            var points = [(x: x(x.lower), y: y(0))]
            for (k, v) in h.enumerated() {
                points.append((x(x.lower + Double(k) * width), y(v)))
                points.append((x(x.lower + Double(k + 1) * width), y(v)))
            }
            points.append((x(x.upper), y(0)))
            return points
        }
        svg.path(SVG.lineData(outline(own)) + " Z", stroke: Palette.samples, width: 1.2, fill: Palette.samples, fillOpacity: 0.3)
        if let other { svg.polyline(outline(other), stroke: Palette.reference, width: 1.5) }
        if let truth, x.contains(truth) { svg.line(x(truth), r.y, x(truth), r.maxY, stroke: Palette.truth, width: 1.2) }
    }

    /// A heat map of the samples: bins shaded in ten steps of their count relative to the
    /// fullest bin, every non-empty bin at least at the first step so that the support
    /// shows. Each step is one path, which keeps a 10 × 10 grid of panels small.
    private func drawPair(_ svg: inout SVG, _ r: Rect, _ x: LinearScale, _ y: LinearScale, _ values: ([Double], [Double]),
                          _ reference: ([Double], [Double])?, _ truth: (Double, Double)?, _ layout: Layout) {
        let n = layout.pairBins
        let xRange = (x.lower, x.upper), yRange = (y.lower, y.upper)
        let counts = histogram2D(x: values.0, y: values.1, xRange: xRange, yRange: yRange, bins: n)
        let fullest = counts.max() ?? 0
        let cellWidth = r.width / Double(n), cellHeight = r.height / Double(n)
        if fullest > 0 {
            var paths = [String](repeating: "", count: 10)
            for j in 0..<n {
                for i in 0..<n where counts[j * n + i] > 0 {
                    let step = min(Int((10 * counts[j * n + i] / fullest).rounded(.up)), 10) - 1
                    let left = r.x + Double(i) * cellWidth, top = r.maxY - Double(j + 1) * cellHeight
                    paths[step] += "M\(SVG.number(left)) \(SVG.number(top))h\(SVG.number(cellWidth))v\(SVG.number(cellHeight))h\(SVG.number(-cellWidth))z"
                }
            }
            for (step, data) in paths.enumerated() {
                svg.path(data, fill: Palette.samples, fillOpacity: 0.09 * Double(step + 1))
            }
        }
        if let reference {
            let grid = smoothed(histogram2D(x: reference.0, y: reference.1, xRange: xRange, yRange: yRange, bins: n), size: n)
            for (k, mass) in Self.contourMasses.enumerated() {
                let level = highestDensityLevel(grid, mass: mass)
                guard level > 0 else { continue }
                let data = contourSegments(grid, size: n, level: level).map { s in
                    "M\(SVG.number(r.x + s.from.x * cellWidth)) \(SVG.number(r.maxY - s.from.y * cellHeight))"
                        + "L\(SVG.number(r.x + s.to.x * cellWidth)) \(SVG.number(r.maxY - s.to.y * cellHeight))"
                }.joined()
                svg.path(data, stroke: Palette.reference, width: k == 0 ? 1.5 : 1.0)
            }
        }
        if let (tx, ty) = truth {
            if x.contains(tx) { svg.line(x(tx), r.y, x(tx), r.maxY, stroke: Palette.truth, width: 0.8, opacity: 0.6) }
            if y.contains(ty) { svg.line(r.x, y(ty), r.maxX, y(ty), stroke: Palette.truth, width: 0.8, opacity: 0.6) }
            if x.contains(tx) && y.contains(ty) {
                svg.circle(x(tx), y(ty), radius: 3.5, fill: Palette.truth, stroke: "#ffffff")
            }
        }
    }

    /// Each column's values over the rows that are finite in every column (a NaN row cannot
    /// be placed in the pair panels, so it is left out of all of them).
    private func finiteColumns(_ m: Matrix) -> [[Double]] {
        let rows = (0..<m.rows).filter { m.row($0).allSatisfy(\.isFinite) }
        return (0..<m.columns).map { c in rows.map { m[$0, c] } }
    }

    /// The axis range of one parameter: the 0.1% to 99.9% quantiles of all samples (so that
    /// a few stray samples do not shrink the posterior to a dot), widened to include the true
    /// value, plus 5% on each side.
    static func range(_ values: [Double], truth: Double?) -> (Double, Double) {
        let sorted = values.sorted()
        var lower = quantile(sorted: sorted, 0.001), upper = quantile(sorted: sorted, 0.999)
        if let truth, truth.isFinite { lower = min(lower, truth); upper = max(upper, truth) }
        let pad = upper > lower ? 0.05 * (upper - lower) : max(abs(lower) * 0.1, 0.5)
        return (lower - pad, upper + pad)
    }
}

/// Panel sizes and positions: panels shrink as d grows so that d = 10 still fits a screen,
/// and ticks, fonts and bins shrink with them.
private struct Layout {
    let dimension: Int
    let size: Double
    let gap = 8.0
    let left = 70.0, right = 16.0, bottom = 64.0
    let top: Double

    init(dimension: Int, hasTitle: Bool) {
        self.dimension = dimension
        size = min(280, max(100, (900 / Double(dimension)).rounded(.down)))
        top = hasTitle ? 36 : 14
    }

    func panel(_ row: Int, _ column: Int) -> Rect {
        Rect(x: left + Double(column) * (size + gap), y: top + Double(row) * (size + gap), width: size, height: size)
    }

    var gridRight: Double { left + Double(dimension) * size + Double(dimension - 1) * gap }
    /// With one parameter there is no empty upper triangle for the legend; it goes right of the panel.
    var legendRight: Double { dimension == 1 ? gridRight + 230 : gridRight }
    var width: Double { legendRight + right }
    var height: Double { top + Double(dimension) * size + Double(dimension - 1) * gap + bottom }
    var tickCount: Int { size >= 150 ? 4 : 3 }
    var tickSize: Double { size >= 130 ? 10 : 9 }
    var nameSize: Double { size >= 130 ? 12 : 11 }
    var histogramBins: Int { size >= 250 ? 50 : size >= 150 ? 40 : 30 }
    var pairBins: Int { size >= 250 ? 50 : size >= 150 ? 40 : 25 }
}

/// 10000 → "10,000": sample counts in legends.
private func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var result = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { result.append(",") }
        result.append(c)
    }
    return (n < 0 ? "-" : "") + result
}
