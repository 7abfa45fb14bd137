/// A malformed document: what was expected, where, and inside which value.
struct JSONSyntaxError: Error {
    var message: String
    var location: SourceLocation
    var path: JSONPath
}

/// A recursive-descent parser for RFC 8259 JSON that keeps what Foundation's parser
/// throws away: member order, duplicate keys, number literals and source positions.
///
/// It works on UTF-8 bytes. Every byte is inspected a bounded number of times, nesting
/// is limited to `maximumDepth` so hostile input cannot exhaust the stack, and no input
/// makes it trap.
struct JSONParser {
    static let maximumDepth = 128

    private let bytes: [UInt8]
    private var offset = 0

    // Newlines can only occur in whitespace (inside strings they must be escaped), so
    // lines are counted while skipping whitespace. Columns are counted lazily from a
    // cursor that only moves forward, which keeps long single-line inputs linear.
    private var line = 1
    private var lineStart = 0
    private var columnCursor = (offset: 0, column: 1)

    /// The keys and indices leading to the value being parsed, for error messages.
    private var path = JSONPath.root

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    mutating func parseDocument() throws -> JSONValue {
        // RFC 8259 §8.1 lets a parser ignore a byte order mark.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            offset = 3
            lineStart = 3
            columnCursor = (3, 1)
        }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard offset == bytes.count else {
            throw error("expected the end of the document, found \(describeCurrent())")
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        skipWhitespace()
        let start = location(of: offset)
        guard let byte = current else {
            throw error("expected a value, found \(describeCurrent())")
        }
        switch byte {
        case UInt8(ascii: "{"):
            return JSONValue(.object(try parseObject(depth: depth + 1)), at: start)
        case UInt8(ascii: "["):
            return JSONValue(.array(try parseArray(depth: depth + 1)), at: start)
        case UInt8(ascii: "\""):
            return JSONValue(.string(try parseString()), at: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONValue(.number(try parseNumber()), at: start)
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            return JSONValue(.bool(true), at: start)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            return JSONValue(.bool(false), at: start)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            return JSONValue(.null, at: start)
        default:
            throw error("expected a value, found \(describeCurrent())")
        }
    }

    private mutating func parseObject(depth: Int) throws -> [JSONMember] {
        try checkDepth(depth)
        offset += 1                                     // "{"
        var members: [JSONMember] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            offset += 1
            return members
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                if current == UInt8(ascii: "}") {
                    throw error("expected a key after ',' (JSON does not allow a trailing comma)")
                }
                throw error("expected a string key, found \(describeCurrent())")
            }
            let keyLocation = location(of: offset)
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else {
                throw error("expected ':' after the key, found \(describeCurrent())")
            }
            offset += 1
            let outer = path
            path = path.member(key)
            let value = try parseValue(depth: depth)
            path = outer
            members.append(JSONMember(key: key, keyLocation: keyLocation, value: value))

            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                return members
            default:
                throw error("expected ',' or '}', found \(describeCurrent())")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws -> [JSONValue] {
        try checkDepth(depth)
        offset += 1                                     // "["
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            offset += 1
            return elements
        }
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                throw error("expected a value after ',' (JSON does not allow a trailing comma)")
            }
            let outer = path
            path = path.element(elements.count)
            elements.append(try parseValue(depth: depth))
            path = outer

            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                return elements
            default:
                throw error("expected ',' or ']', found \(describeCurrent())")
            }
        }
    }

    private mutating func checkDepth(_ depth: Int) throws {
        if depth > Self.maximumDepth {
            throw error("arrays and objects are nested more than \(Self.maximumDepth) deep")
        }
    }

    private mutating func parseLiteral(_ word: String) throws {
        guard bytes[offset...].starts(with: word.utf8) else {
            throw error("expected a value, found \(describeCurrent())")
        }
        offset += word.utf8.count
    }

    // MARK: Numbers

    private mutating func parseNumber() throws -> JSONNumber {
        let start = offset
        if current == UInt8(ascii: "-") { offset += 1 }
        if current == UInt8(ascii: "0") {
            offset += 1
            if isDigit(current) {
                throw error("a number cannot have a leading zero")
            }
        } else {
            try digits(after: "'-'")
        }
        if current == UInt8(ascii: ".") {
            offset += 1
            try digits(after: "'.'")
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            offset += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
            try digits(after: "the exponent mark")
        }
        return JSONNumber(literal: String(decoding: bytes[start..<offset], as: UTF8.self))
    }

    /// Consumes one or more digits.
    private mutating func digits(after what: String) throws {
        guard isDigit(current) else {
            throw error("expected a digit after \(what), found \(describeCurrent())")
        }
        while isDigit(current) { offset += 1 }
    }

    private func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    // MARK: Strings

    private mutating func parseString() throws -> String {
        let openingQuote = offset
        offset += 1
        var decoded: [UInt8] = []
        var runStart = offset                           // bytes copied verbatim start here
        while true {
            guard let byte = current else {
                throw error("unterminated string", at: openingQuote)
            }
            switch byte {
            case UInt8(ascii: "\""):
                decoded += bytes[runStart..<offset]
                offset += 1
                // The bytes came from a String or from escapes decoded to scalars, so
                // they are valid UTF-8 and nothing is replaced here.
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                decoded += bytes[runStart..<offset]
                try parseEscape(into: &decoded)
                runStart = offset
            case 0..<0x20:
                throw error("a control character (\(describeCurrent())) must be escaped in a string")
            default:
                offset += 1
            }
        }
    }

    private mutating func parseEscape(into decoded: inout [UInt8]) throws {
        let escapeStart = offset
        offset += 1                                     // the backslash
        guard let byte = current else { return }        // the caller reports the open string
        offset += 1
        let simple: UInt8? = switch byte {
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "/"): UInt8(ascii: "/")
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            decoded.append(simple)
            return
        }
        guard byte == UInt8(ascii: "u") else {
            throw error("invalid escape '\\\(describe(at: escapeStart + 1, quoted: false))'", at: escapeStart)
        }

        // \uXXXX, where a UTF-16 high surrogate must be followed by \uXXXX holding a
        // low surrogate; a Swift string cannot hold an unpaired one.
        var code = UInt32(try hexQuad(escapeStart))
        if (0xD800...0xDBFF).contains(code) {
            let lowStart = offset
            guard current == UInt8(ascii: "\\"), next == UInt8(ascii: "u") else {
                throw error("a high surrogate escape must be followed by a low one", at: escapeStart)
            }
            offset += 2
            let low = UInt32(try hexQuad(lowStart))
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error("a high surrogate escape must be followed by a low one", at: escapeStart)
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(code) {
            throw error("a low surrogate escape must follow a high one", at: escapeStart)
        }
        // Surrogates are handled above, so every remaining code is a scalar.
        guard let scalar = Unicode.Scalar(code) else { return }
        UTF8.encode(scalar) { decoded.append($0) }
    }

    /// The four hex digits after `\u`; `escapeStart` locates the error.
    private mutating func hexQuad(_ escapeStart: Int) throws -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            let digit: UInt16
            switch current {
            case .some(let byte) where (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte):
                digit = UInt16(byte - UInt8(ascii: "0"))
            case .some(let byte) where (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte):
                digit = UInt16(byte - UInt8(ascii: "a") + 10)
            case .some(let byte) where (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte):
                digit = UInt16(byte - UInt8(ascii: "A") + 10)
            default:
                throw error("'\\u' must be followed by four hex digits", at: escapeStart)
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    // MARK: Positions

    private var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }
    private var next: UInt8? { offset + 1 < bytes.count ? bytes[offset + 1] : nil }

    private mutating func skipWhitespace() {
        while let byte = current {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                offset += 1
            case UInt8(ascii: "\n"):
                offset += 1
                startLine()
            case UInt8(ascii: "\r"):
                // "\r\n" is one line break, counted at its "\n"; a lone "\r" is one too.
                offset += 1
                if current != UInt8(ascii: "\n") { startLine() }
            default:
                return
            }
        }
    }

    private mutating func startLine() {
        line += 1
        lineStart = offset
        columnCursor = (offset, 1)
    }

    /// The location of byte `target`, which must be on the current line at or after
    /// every location asked for before on it.
    private mutating func location(of target: Int) -> SourceLocation {
        if columnCursor.offset < lineStart || columnCursor.offset > target {
            columnCursor = (lineStart, 1)
        }
        var column = columnCursor.column
        for index in columnCursor.offset..<min(target, bytes.count) where bytes[index] & 0xC0 != 0x80 {
            column += 1                                 // count scalars, not continuation bytes
        }
        columnCursor = (target, column)
        return SourceLocation(line: line, column: column)
    }

    /// An error at byte `position`, by default the current one.
    private mutating func error(_ message: String, at position: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(message: message, location: location(of: position ?? offset), path: path)
    }

    /// A character for a message: `'x'`, `U+0009` for invisible ones, or
    /// `the end of the document`.
    private func describeCurrent() -> String {
        describe(at: offset, quoted: true)
    }

    private func describe(at index: Int, quoted: Bool) -> String {
        guard index < bytes.count else { return "the end of the document" }
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let text = String(decoding: bytes[index..<end], as: UTF8.self)
        if let scalar = text.unicodeScalars.first, scalar.value < 0x20 || scalar.value == 0x7F {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        return quoted ? "'\(text)'" : text
    }
}
