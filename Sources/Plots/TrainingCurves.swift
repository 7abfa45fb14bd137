import Foundation

/// Training and validation loss per epoch, with the epoch whose weights were kept marked.
public struct TrainingCurves {
    public var epochs: [Int]
    public var trainLoss: [Double]
    public var validationLoss: [Double]
    /// The epoch with the lowest validation loss, whose weights the model keeps.
    public var bestEpoch: Int?
    public var title: String?

    public init(epochs: [Int], trainLoss: [Double], validationLoss: [Double], bestEpoch: Int?, title: String? = nil) {
        self.epochs = epochs; self.trainLoss = trainLoss; self.validationLoss = validationLoss
        self.bestEpoch = bestEpoch; self.title = title
    }

    public func render() throws -> SVG {
        guard !epochs.isEmpty else { throw PlotError("the training log holds no epoch") }
        guard trainLoss.count == epochs.count, validationLoss.count == epochs.count else {
            throw PlotError("\(epochs.count) epochs, \(trainLoss.count) training and \(validationLoss.count) validation losses")
        }
        var svg = SVG(width: 760, height: 460)
        let r = Rect(x: 80, y: title == nil ? 20 : 44, width: 650, height: title == nil ? 380 : 356)
        if let title { svg.text(title, r.x, 26, size: 14, weight: "bold") }
        let x = LinearScale(domain: (Double(epochs.first!), Double(max(epochs.last!, epochs.first! + 1))), range: (r.x, r.maxX))
        let y = LinearScale(domain: lossRange(), range: (r.maxY, r.y))
        svg.xTicks(r, x, count: 8, minimumStep: 1, grid: true)
        svg.yTicks(r, y, count: 6, grid: true)
        svg.xTitle("epoch", r, offset: 34)
        svg.yTitle("loss", r, offset: 54)

        // The clip cuts the first training loss, which the range leaves out, at the top edge.
        svg.defineClip("plot-area", r)
        svg.beginGroup([("clip-path", "url(#plot-area)")])
        for (losses, colour, name) in [(trainLoss, Palette.samples, "train"), (validationLoss, Palette.reference, "validation")] {
            svg.beginGroup([("class", name)])
            for run in finiteRuns(losses) {
                let points = run.map { (x: x(Double(epochs[$0])), y: y(losses[$0])) }
                if points.count == 1 {
                    svg.circle(points[0].x, points[0].y, radius: 2, fill: colour)
                } else {
                    svg.polyline(points, stroke: colour, width: 1.8)
                }
            }
            svg.endGroup()
        }
        svg.endGroup()

        var entries = [LegendEntry("training loss", colour: Palette.samples, mark: .line(dash: nil)),
                       LegendEntry("validation loss", colour: Palette.reference, mark: .line(dash: nil))]
        if let bestEpoch, let k = epochs.firstIndex(of: bestEpoch), validationLoss[k].isFinite {
            let bx = x(Double(bestEpoch)), by = y(validationLoss[k])
            svg.beginGroup([("class", "best-epoch")])
            svg.line(bx, r.y, bx, r.maxY, stroke: Palette.truth, width: 1, dash: "4 3", opacity: 0.7)
            if y.contains(validationLoss[k]) { svg.circle(bx, by, radius: 4, fill: Palette.truth, stroke: "#ffffff") }
            let label = "best epoch \(bestEpoch): " + String(format: "%.4g", validationLoss[k])
            let rightHalf = bx > r.x + r.width * 0.6
            svg.text(label, bx + (rightHalf ? -6 : 6), r.y + 16, size: 11, anchor: rightHalf ? .end : .start)
            svg.endGroup()
            entries.append(LegendEntry("best validation loss", colour: Palette.truth, mark: .point))
        }
        svg.frame(r)
        // Losses fall from the top left, so the bottom left is where the legend hides nothing.
        svg.legend(entries, x: r.x + 8, y: r.maxY - SVG.legendSize(entries).height - 8)
        return svg
    }

    /// Every loss but the first epoch's training loss: that one averages over the steps from
    /// the random initialization and can be orders of magnitude above the rest (6,799 against
    /// 0.94 for the validation loss after the same epoch of a two_moons run), which would
    /// flatten every other point. Its line is cut at the top edge instead.
    private func lossRange() -> (Double, Double) {
        let values = (Array(trainLoss.dropFirst(epochs.count > 1 ? 1 : 0)) + validationLoss).filter(\.isFinite)
        guard let lower = values.min(), let upper = values.max() else { return (0, 1) }
        let pad = upper > lower ? 0.05 * (upper - lower) : 0.5
        return (lower - pad, upper + pad)
    }

    /// Index ranges of consecutive finite losses: a NaN epoch breaks the line.
    private func finiteRuns(_ losses: [Double]) -> [[Int]] {
        var runs: [[Int]] = [], current: [Int] = []
        for (i, v) in losses.enumerated() {
            if v.isFinite { current.append(i) } else if !current.isEmpty { runs.append(current); current = [] }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }
}
