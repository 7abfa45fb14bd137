import Datasets
import Foundation

/// A standalone SVG document, assembled element by element.
///
/// Every number goes through `SVG.number`, which writes at most two decimals without a
/// locale, and nothing depends on the clock or on hashing order, so the same figure always
/// gives the same bytes: figures can be compared with `cmp` and kept under version control.
public struct SVG {
    public let width: Double
    public let height: Double
    private var body: [String] = []
    private var definitions: [String] = []
    private var depth = 1

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The document, with an XML declaration and a white background (viewers otherwise show
    /// transparency as black or as a checkerboard).
    public var text: String {
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\#(Self.number(width))" "#
                + #"height="\#(Self.number(height))" viewBox="0 0 \#(Self.number(width)) \#(Self.number(height))" "#
                + #"font-family="DejaVu Sans, Helvetica, Arial, sans-serif">"#,
        ]
        if !definitions.isEmpty { lines += ["  <defs>"] + definitions.map { "    " + $0 } + ["  </defs>"] }
        lines.append(##"  <rect width="100%" height="100%" fill="#ffffff"/>"##)
        lines += body
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the document atomically, so that a viewer never sees half a figure.
    public func write(to path: String) throws {
        try AtomicFile.write(Data(text.utf8), to: path)
    }

    // MARK: Elements

    /// An element with the given attributes (nil values are left out) and optional text.
    public mutating func element(_ name: String, _ attributes: [(String, String?)], text: String? = nil) {
        let indent = String(repeating: "  ", count: depth)
        if let text {
            body.append("\(indent)<\(name)\(Self.attributeText(attributes))>\(Self.escape(text))</\(name)>")
        } else {
            body.append("\(indent)<\(name)\(Self.attributeText(attributes))/>")
        }
    }

    /// Opens a `<g>`; close it with `endGroup()`.
    public mutating func beginGroup(_ attributes: [(String, String?)] = []) {
        body.append(String(repeating: "  ", count: depth) + "<g\(Self.attributeText(attributes))>")
        depth += 1
    }

    public mutating func endGroup() {
        depth -= 1
        body.append(String(repeating: "  ", count: depth) + "</g>")
    }

    /// A rectangular clip path named `id`, for `clip-path="url(#id)"`.
    public mutating func defineClip(_ id: String, _ r: Rect) {
        definitions.append("<clipPath id=\"\(Self.escape(id))\"><rect x=\"\(Self.number(r.x))\" y=\"\(Self.number(r.y))\" "
                           + "width=\"\(Self.number(r.width))\" height=\"\(Self.number(r.height))\"/></clipPath>")
    }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                              width: Double = 1, dash: String? = nil, opacity: Double? = nil) {
        element("line", [("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)), ("y2", Self.number(y2)),
                         ("stroke", stroke), ("stroke-width", Self.number(width)), ("stroke-dasharray", dash),
                         ("stroke-opacity", opacity.map(Self.number))])
    }

    public mutating func rect(_ r: Rect, fill: String, opacity: Double? = nil, stroke: String? = nil, strokeWidth: Double = 1) {
        element("rect", [("x", Self.number(r.x)), ("y", Self.number(r.y)), ("width", Self.number(r.width)),
                         ("height", Self.number(r.height)), ("fill", fill), ("fill-opacity", opacity.map(Self.number)),
                         ("stroke", stroke), ("stroke-width", stroke == nil ? nil : Self.number(strokeWidth))])
    }

    public mutating func circle(_ x: Double, _ y: Double, radius: Double, fill: String, stroke: String? = nil, strokeWidth: Double = 1) {
        element("circle", [("cx", Self.number(x)), ("cy", Self.number(y)), ("r", Self.number(radius)), ("fill", fill),
                           ("stroke", stroke), ("stroke-width", stroke == nil ? nil : Self.number(strokeWidth))])
    }

    /// A path given as SVG path data; `fill` defaults to none, as for lines.
    public mutating func path(_ data: String, stroke: String? = nil, width: Double = 1, fill: String = "none",
                              fillOpacity: Double? = nil, strokeOpacity: Double? = nil, dash: String? = nil) {
        guard !data.isEmpty else { return }
        element("path", [("d", data), ("fill", fill), ("fill-opacity", fillOpacity.map(Self.number)), ("stroke", stroke),
                         ("stroke-width", stroke == nil ? nil : Self.number(width)),
                         ("stroke-opacity", strokeOpacity.map(Self.number)), ("stroke-dasharray", dash),
                         ("stroke-linejoin", stroke == nil ? nil : "round")])
    }

    /// A line through `points`, as one path.
    public mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 1,
                                  opacity: Double? = nil, dash: String? = nil) {
        path(Self.lineData(points), stroke: stroke, width: width, strokeOpacity: opacity, dash: dash)
    }

    public enum Anchor: String { case start, middle, end }

    /// Text whose baseline starts, centres or ends at (x, y); `rotation` turns it about that point.
    public mutating func text(_ string: String, _ x: Double, _ y: Double, size: Double = 11, anchor: Anchor = .start,
                              rotation: Double? = nil, weight: String? = nil, fill: String = Palette.text) {
        element("text", [("x", Self.number(x)), ("y", Self.number(y)), ("font-size", Self.number(size)),
                         ("text-anchor", anchor == .start ? nil : anchor.rawValue), ("font-weight", weight),
                         ("fill", fill),
                         ("transform", rotation.map { "rotate(\(Self.number($0)) \(Self.number(x)) \(Self.number(y)))" })],
                text: string)
    }

    // MARK: Formatting

    /// Two decimals at most, trailing zeros dropped, never "-0": a hundredth of a pixel is
    /// below what any renderer shows, and short numbers keep large figures small.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        var text = String(format: "%.2f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// ` key="value"` for each attribute with a value, in the given order.
    private static func attributeText(_ attributes: [(String, String?)]) -> String {
        attributes.compactMap { key, value in value.map { " \(key)=\"\(escape($0))\"" } }.joined()
    }

    /// "M x y L x y …" through `points`.
    public static func lineData(_ points: [(x: Double, y: Double)]) -> String {
        points.enumerated().map { i, p in (i == 0 ? "M" : "L") + number(p.x) + " " + number(p.y) }.joined(separator: " ")
    }

    /// Text made safe for XML content and attribute values. Control characters that XML 1.0
    /// forbids (a parameter name may come from the command line) become spaces.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                let forbidden = v < 0x20 || (0xFFFE...0xFFFF).contains(v)
                result.unicodeScalars.append(forbidden ? " " : scalar)
            }
        }
        return result
    }
}

/// A rectangle in SVG coordinates (y grows downward).
public struct Rect: Equatable, Sendable {
    public var x, y, width, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
}
