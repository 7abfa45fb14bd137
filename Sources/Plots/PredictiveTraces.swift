import Foundation

/// Time series simulated at posterior samples, drawn thin and translucent over the series
/// at the true parameters: a posterior predictive check that shows whether parameters the
/// posterior finds plausible reproduce what was observed.
public struct PredictiveTraces {
    public var time: [Double]
    public var simulated: [[Double]]
    public var observed: [Double]?
    public var xLabel: String
    public var yLabel: String
    public var title: String?
    /// A line of text under the title, e.g. a statistic of the observed and simulated series.
    public var subtitle: String?
    /// An interval of time to shade, e.g. when a stimulus is on.
    public var shaded: (from: Double, to: Double, label: String)?
    public var simulatedLabel = "simulated at posterior samples"
    public var observedLabel = "simulated at the true parameters"

    public init(time: [Double], simulated: [[Double]], observed: [Double]?, xLabel: String, yLabel: String) {
        self.time = time; self.simulated = simulated; self.observed = observed; self.xLabel = xLabel; self.yLabel = yLabel
    }

    public func render() throws -> SVG {
        guard time.count >= 2 else { throw PlotError("a trace needs at least two time points") }
        for series in simulated + (observed.map { [$0] } ?? []) where series.count != time.count {
            throw PlotError("a trace has \(series.count) values for \(time.count) time points")
        }
        guard !simulated.isEmpty || observed != nil else { throw PlotError("no trace to draw") }
        var entries: [LegendEntry] = []
        if !simulated.isEmpty {
            entries.append(LegendEntry("\(simulatedLabel) (\(simulated.count))", colour: Palette.samples, mark: .line(dash: nil)))
        }
        if observed != nil { entries.append(LegendEntry(observedLabel, colour: Palette.truth, mark: .line(dash: nil))) }
        // The legend sits above the plot, right of the title: inside it would hide spikes,
        // which fill the plot's whole height while the stimulus is on.
        let legend = SVG.legendSize(entries)
        let header = max((title == nil ? 0 : 24) + (subtitle == nil ? 0 : 20), legend.height + 8)
        var svg = SVG(width: 860, height: 440 + header)
        let r = Rect(x: 70, y: 12 + header, width: 770, height: 370)
        if let title { svg.text(title, r.x, 26, size: 14, weight: "bold") }
        if let subtitle { svg.text(subtitle, r.x, title == nil ? 26 : 46, size: 12) }
        svg.legend(entries, x: r.maxX - legend.width, y: 8)

        let values = (simulated.flatMap { $0 } + (observed ?? [])).filter(\.isFinite)
        let lower = values.min() ?? 0, upper = values.max() ?? 1
        let pad = 0.04 * max(upper - lower, 1)
        let x = LinearScale(domain: (time.first!, time.last!), range: (r.x, r.maxX))
        let y = LinearScale(domain: (lower - pad, upper + pad), range: (r.maxY, r.y))
        if let (from, to, label) = shaded {
            svg.rect(Rect(x: x(from), y: r.y, width: x(to) - x(from), height: r.height), fill: "#f2f2f2")
            svg.text(label, (x(from) + x(to)) / 2, r.y + 14, size: 11, anchor: .middle, fill: "#666666")
        }
        svg.xTicks(r, x, count: 10, grid: true)
        svg.yTicks(r, y, count: 6, grid: true)
        svg.xTitle(xLabel, r, offset: 34)
        svg.yTitle(yLabel, r, offset: 50)

        // Translucency shows where the simulations agree; it fades with their number so that
        // twenty traces and a hundred look alike.
        let opacity = min(0.6, max(0.12, 4 / Double(max(simulated.count, 1))))
        svg.beginGroup([("class", "simulated")])
        for series in simulated {
            svg.polyline(envelope(series, x, y, columns: Int(r.width)), stroke: Palette.samples, width: 0.9, opacity: opacity)
        }
        svg.endGroup()
        if let observed {
            svg.beginGroup([("class", "observed")])
            svg.polyline(envelope(observed, x, y, columns: Int(r.width)), stroke: Palette.truth, width: 1.4)
            svg.endGroup()
        }
        svg.frame(r)
        return svg
    }

    /// The series reduced to its minimum and maximum in each pixel column, in time order:
    /// 5000 samples become at most two points per pixel and every spike keeps its height,
    /// which plain subsampling would not guarantee.
    private func envelope(_ series: [Double], _ x: LinearScale, _ y: LinearScale, columns: Int) -> [(x: Double, y: Double)] {
        var points: [(x: Double, y: Double)] = []
        var start = 0
        while start < series.count {
            let column = Int((x(time[start]) - x.start) / (x.end - x.start) * Double(columns))
            var end = start + 1
            while end < series.count, Int((x(time[end]) - x.start) / (x.end - x.start) * Double(columns)) == column { end += 1 }
            let slice = (start..<end).filter { series[$0].isFinite }
            if let low = slice.min(by: { series[$0] < series[$1] }), let high = slice.max(by: { series[$0] < series[$1] }) {
                for k in low == high ? [low] : [min(low, high), max(low, high)] { points.append((x(time[k]), y(series[k]))) }
            }
            start = end
        }
        return points
    }
}
