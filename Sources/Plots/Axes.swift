/// Frames, ticks, tick labels and axis titles, shared by every figure.
extension SVG {
    static let tickLength = 4.0

    /// The panel's outline.
    public mutating func frame(_ r: Rect) {
        rect(r, fill: "none", stroke: Palette.axis, strokeWidth: 0.8)
    }

    /// Ticks along the bottom edge of `r`, at least `minimumStep` apart; labels only when
    /// `labels` (inner panels of a grid share their neighbours' labels), and only those that
    /// reach at most `overhang` beyond the panel's sides, so that labels of neighbouring
    /// panels cannot run together; light vertical grid lines when `grid`.
    public mutating func xTicks(_ r: Rect, _ scale: LinearScale, count: Int, minimumStep: Double = 0, labels: Bool = true,
                                overhang: Double = .infinity, grid: Bool = false, size: Double = 10) {
        for (value, label) in scale.ticks(count, minimumStep: minimumStep) {
            let x = scale(value)
            if grid { line(x, r.y, x, r.maxY, stroke: Palette.grid, width: 0.8) }
            line(x, r.maxY, x, r.maxY + Self.tickLength, stroke: Palette.axis, width: 0.8)
            let halfWidth = Self.textWidth(label, size: size) / 2
            if labels && x - halfWidth >= r.x - overhang && x + halfWidth <= r.maxX + overhang {
                text(label, x, r.maxY + Self.tickLength + size + 1, size: size, anchor: .middle)
            }
        }
    }

    /// Ticks along the left edge of `r`, as `xTicks`; `overhang` applies above and below.
    public mutating func yTicks(_ r: Rect, _ scale: LinearScale, count: Int, minimumStep: Double = 0, labels: Bool = true,
                                overhang: Double = .infinity, grid: Bool = false, size: Double = 10) {
        for (value, label) in scale.ticks(count, minimumStep: minimumStep) {
            let y = scale(value)
            if grid { line(r.x, y, r.maxX, y, stroke: Palette.grid, width: 0.8) }
            line(r.x - Self.tickLength, y, r.x, y, stroke: Palette.axis, width: 0.8)
            if labels && y - size / 2 >= r.y - overhang && y + size / 2 <= r.maxY + overhang {
                text(label, r.x - Self.tickLength - 2, y + size * 0.35, size: size, anchor: .end)
            }
        }
    }

    /// A title under the x tick labels of `r`.
    public mutating func xTitle(_ title: String, _ r: Rect, size: Double = 11, offset: Double = 30) {
        text(title, r.x + r.width / 2, r.maxY + offset, size: size, anchor: .middle)
    }

    /// A title turned upward, left of the y tick labels of `r`.
    public mutating func yTitle(_ title: String, _ r: Rect, size: Double = 11, offset: Double = 40) {
        text(title, r.x - offset, r.y + r.height / 2, size: size, anchor: .middle, rotation: -90)
    }

    /// An estimate of the width of `text`: without the font it cannot be measured, and 0.6 em
    /// per character is a safe overestimate for the sans-serif fonts the document names.
    static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.6
    }
}
