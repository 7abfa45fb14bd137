/// A JSON number, kept as its literal. JSON numbers have unbounded range and precision,
/// so converting early would either lose information or trap; instead each consumer asks
/// for the representation it needs and learns when the value does not fit.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The literal exactly as written; it matches the RFC 8259 number grammar.
    public let literal: String

    /// Only the parser creates numbers, so `literal` is always well formed.
    init(literal: String) {
        self.literal = literal
    }

    public var description: String { literal }

    /// The nearest `Double`: ±infinity beyond its range, ±0 below it.
    public var doubleValue: Double {
        // The JSON number grammar is a subset of what `Double.init?(_:)` accepts.
        Double(literal) ?? .nan
    }

    /// The value when it is mathematically an integer that fits in `Int` (so `1e3` and
    /// `250.0e-1` qualify), otherwise nil. Decided from the digits, not through `Double`,
    /// so `2147483647.0000000001` is correctly not an integer.
    public var integerValue: Int? {
        let bytes = Array(literal.utf8)
        var index = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index += 1 }

        var digits: [Int] = []          // the integer and fraction digits, in order
        var fractionDigits = 0
        var exponent = 0
        var inFraction = false
        scan: while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(Int(bytes[index] - UInt8(ascii: "0")))
                if inFraction { fractionDigits += 1 }
            case UInt8(ascii: "."):
                inFraction = true
            default:                    // "e" or "E"; the exponent runs to the end
                exponent = Self.saturatingExponent(bytes[(index + 1)...])
                break scan
            }
            index += 1
        }

        // value = significant × 10^scale, with the zeros at both ends stripped off.
        var scale = exponent - fractionDigits
        guard let first = digits.firstIndex(where: { $0 != 0 }),
              let last = digits.lastIndex(where: { $0 != 0 }) else { return 0 }
        let significant = digits[first...last]
        scale += digits.count - 1 - last
        // Int.max has 19 digits, so anything longer overflows; a fraction is no integer.
        guard scale >= 0, significant.count + scale <= 19 else { return nil }

        var value = 0
        var overflow = false
        for digit in significant + Array(repeating: 0, count: scale) {
            (value, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            (value, overflow) = negative
                ? value.subtractingReportingOverflow(digit)
                : value.addingReportingOverflow(digit)
            if overflow { return nil }
        }
        return value
    }

    /// The exponent's value, clamped far beyond any range that matters here so that an
    /// exponent such as `1e99999999999999999999` cannot overflow.
    private static func saturatingExponent(_ text: ArraySlice<UInt8>) -> Int {
        let limit = 1_000_000
        var rest = text
        var sign = 1
        if rest.first == UInt8(ascii: "-") { sign = -1 }
        if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") {
            rest = rest.dropFirst()
        }
        var magnitude = 0
        for byte in rest {
            magnitude = min(limit, magnitude * 10 + Int(byte - UInt8(ascii: "0")))
        }
        return sign * magnitude
    }
}
