import Foundation

/// The two views of simulation-based calibration: a rank histogram per parameter, against
/// the band a uniform histogram stays in, and the expected coverage of every parameter's
/// central credible intervals against the diagonal of exact calibration.
public struct CalibrationPlot {
    public struct Dimension {
        public var name: String
        public var rankHistogram: [Int]
        public var pValue: Double
        /// One value per credibility level.
        public var coverage: [Double]

        public init(name: String, rankHistogram: [Int], pValue: Double, coverage: [Double]) {
            self.name = name; self.rankHistogram = rankHistogram; self.pValue = pValue; self.coverage = coverage
        }
    }

    public var dimensions: [Dimension]
    /// Ranks run from 0 to this value.
    public var rankMaximum: Int
    /// The counts a bin of uniform ranks stays within, and its expected count.
    public var band: (lower: Int, upper: Int, expected: Double, level: Double)
    public var levels: [Double]
    /// Where the coverage of an exact posterior falls, at each level.
    public var coverageBand: [(lower: Double, upper: Double)]
    public var coverageBandLevel: Double
    public var title: String?

    public init(dimensions: [Dimension], rankMaximum: Int, band: (lower: Int, upper: Int, expected: Double, level: Double),
                levels: [Double], coverageBand: [(lower: Double, upper: Double)], coverageBandLevel: Double, title: String? = nil) {
        self.dimensions = dimensions; self.rankMaximum = rankMaximum; self.band = band; self.levels = levels
        self.coverageBand = coverageBand; self.coverageBandLevel = coverageBandLevel; self.title = title
    }

    static let histogramSize = (width: 150.0, height: 110.0)
    /// Room around each histogram for its title, ticks and labels.
    static let cell = (width: 196.0, height: 182.0)
    static let columns = 5
    static let coverageSize = 280.0

    public func render() throws -> SVG {
        guard !dimensions.isEmpty else { throw PlotError("no dimension to plot") }
        guard rankMaximum > 0 else { throw PlotError("ranks need at least one posterior sample") }
        for d in dimensions where d.coverage.count != levels.count {
            throw PlotError("\(d.name): \(d.coverage.count) coverage values for \(levels.count) levels")
        }
        guard coverageBand.count == levels.count else { throw PlotError("the coverage band needs one interval per level") }
        let columns = min(dimensions.count, Self.columns)
        let rows = (dimensions.count + columns - 1) / columns
        let top = title == nil ? 8.0 : 36.0
        let gridWidth = Double(columns) * Self.cell.width
        let coverage = Rect(x: 60 + gridWidth + 50, y: top + 40, width: Self.coverageSize, height: Self.coverageSize)
        let entries = dimensions.enumerated().map { LegendEntry($1.name, colour: Palette.series($0), mark: .line(dash: nil)) }
            + [LegendEntry("exact (\(Int(coverageBandLevel * 100))% band)", colour: Palette.truth, mark: .line(dash: "5 3"))]
        let legend = SVG.legendSize(entries, size: 10)
        let height = max(top + Double(rows) * Self.cell.height, coverage.maxY + 50, coverage.y + legend.height + 10)
        var svg = SVG(width: coverage.maxX + 20 + legend.width + 16, height: height)
        if let title { svg.text(title, 20, 24, size: 14, weight: "bold") }

        for (k, dimension) in dimensions.enumerated() {
            let r = Rect(x: 60 + Double(k % columns) * Self.cell.width, y: top + 40 + Double(k / columns) * Self.cell.height,
                         width: Self.histogramSize.width, height: Self.histogramSize.height)
            drawRankHistogram(&svg, r, dimension)
        }
        drawCoverage(&svg, coverage)
        svg.legend(entries, x: coverage.maxX + 20, y: coverage.y, size: 10)
        return svg
    }

    /// Bars of rank counts over the uniform band (grey) and its expected count (dashed).
    private func drawRankHistogram(_ svg: inout SVG, _ r: Rect, _ dimension: Dimension) {
        let bins = dimension.rankHistogram.count
        let x = LinearScale(domain: (0, Double(rankMaximum + 1)), range: (r.x, r.maxX))
        let highest = max(Double(dimension.rankHistogram.max() ?? 0), Double(band.upper))
        let y = LinearScale(domain: (0, highest * 1.1), range: (r.maxY, r.y))
        svg.beginGroup([("class", "rank-histogram"), ("data-name", dimension.name)])
        svg.text(dimension.name, r.x, r.y - 22, size: 11, weight: "bold")
        svg.text("χ² p = " + pValueText(dimension.pValue), r.x, r.y - 8, size: 10)
        let bandTop = y(Double(band.upper)), bandBottom = y(Double(band.lower))
        svg.rect(Rect(x: r.x, y: bandTop, width: r.width, height: bandBottom - bandTop), fill: Palette.band, opacity: 0.45)
        let binWidth = Double(rankMaximum + 1) / Double(bins)
        for (b, count) in dimension.rankHistogram.enumerated() {
            let left = x(Double(b) * binWidth), right = x(Double(b + 1) * binWidth)
            svg.element("rect", [("class", "bar"), ("x", SVG.number(left)), ("y", SVG.number(y(Double(count)))),
                                 ("width", SVG.number(right - left)), ("height", SVG.number(y(0) - y(Double(count)))),
                                 ("fill", Palette.samples), ("fill-opacity", "0.75"), ("stroke", "#ffffff"), ("stroke-width", "0.5")])
        }
        // The band's edges again over the bars, which would otherwise hide where they cross it.
        for edge in [bandTop, bandBottom] { svg.line(r.x, edge, r.maxX, edge, stroke: "#888888", width: 0.8, dash: "2 2") }
        svg.line(r.x, y(band.expected), r.maxX, y(band.expected), stroke: Palette.truth, width: 1, dash: "5 3", opacity: 0.7)
        svg.xTicks(r, x, count: 3, minimumStep: 1, size: 9)
        svg.yTicks(r, y, count: 4, minimumStep: 1, size: 9)
        svg.xTitle("rank", r, size: 10, offset: 28)
        svg.frame(r)
        svg.endGroup()
    }

    /// Coverage per dimension against the diagonal and the band an exact posterior stays in.
    private func drawCoverage(_ svg: inout SVG, _ r: Rect) {
        let x = LinearScale(domain: (0, 1), range: (r.x, r.maxX)), y = LinearScale(domain: (0, 1), range: (r.maxY, r.y))
        svg.beginGroup([("class", "coverage")])
        svg.text("expected coverage", r.x, r.y - 8, size: 11, weight: "bold")
        svg.xTicks(r, x, count: 5, grid: true, size: 9)
        svg.yTicks(r, y, count: 5, grid: true, size: 9)
        let upper = zip(levels, coverageBand).map { (x: x($0), y: y($1.upper)) }
        let lower = zip(levels, coverageBand).reversed().map { (x: x($0), y: y($1.lower)) }
        svg.path(SVG.lineData(upper + lower) + " Z", fill: Palette.band, fillOpacity: 0.45)
        svg.line(x(0), y(0), x(1), y(1), stroke: Palette.truth, width: 1, dash: "5 3")
        for (k, dimension) in dimensions.enumerated() {
            svg.polyline(zip(levels, dimension.coverage).map { (x: x($0), y: y($1)) }, stroke: Palette.series(k), width: 1.5)
        }
        svg.xTitle("credibility level of the central interval", r, size: 10, offset: 30)
        svg.yTitle("fraction of true parameters inside", r, size: 10, offset: 34)
        svg.frame(r)
        svg.endGroup()
    }

    private func pValueText(_ p: Double) -> String {
        p < 0.001 ? String(format: "%.1e", p) : String(format: "%.3f", p)
    }
}
