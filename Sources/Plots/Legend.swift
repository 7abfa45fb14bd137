/// A legend: one swatch and label per entry, in a white box.
public struct LegendEntry {
    public enum Mark { case line(dash: String?), filled, point }
    public var label: String
    public var colour: String
    public var mark: Mark

    public init(_ label: String, colour: String, mark: Mark) {
        self.label = label; self.colour = colour; self.mark = mark
    }
}

extension SVG {
    /// The size of the box `legend` draws, for placing it before drawing.
    public static func legendSize(_ entries: [LegendEntry], size: Double = 11) -> (width: Double, height: Double) {
        let longest = entries.map { textWidth($0.label, size: size) }.max() ?? 0
        return (34 + longest, Double(entries.count) * (size + 6) + 8)
    }

    /// Draws `entries` in a box whose top-left corner is (x, y).
    public mutating func legend(_ entries: [LegendEntry], x: Double, y: Double, size: Double = 11) {
        let rowHeight = size + 6
        let (width, height) = Self.legendSize(entries, size: size)
        let box = Rect(x: x, y: y, width: width, height: height)
        beginGroup([("class", "legend")])
        rect(box, fill: "#ffffff", opacity: 0.9, stroke: "#cccccc", strokeWidth: 0.8)
        for (i, entry) in entries.enumerated() {
            let cy = y + 4 + rowHeight * (Double(i) + 0.5)
            switch entry.mark {
            case .line(let dash):
                line(x + 6, cy, x + 24, cy, stroke: entry.colour, width: 2, dash: dash)
            case .filled:
                rect(Rect(x: x + 6, y: cy - 5, width: 18, height: 10), fill: entry.colour, opacity: 0.5,
                     stroke: entry.colour, strokeWidth: 1)
            case .point:
                circle(x + 15, cy, radius: 3.5, fill: entry.colour, stroke: "#ffffff")
            }
            text(entry.label, x + 30, cy + size * 0.35, size: size)
        }
        endGroup()
    }
}
