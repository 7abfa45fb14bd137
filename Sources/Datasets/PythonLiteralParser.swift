/// A parser for the Python dictionary literal in a `.npy` header, e.g.
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`. It accepts string keys
/// and values that are strings, booleans, non-negative integers or tuples of them; lists
/// (structured dtypes) and other values are reported as such.
struct PythonLiteralParser {
    enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case integer(Int)
        case tuple([Int])
        case unsupported
    }

    private let characters: [Character]
    private var position = 0
    private let file: String

    init(_ text: String, file: String) {
        self.characters = Array(text)
        self.file = file
    }

    mutating func parseDictionary() throws -> [String: Value] {
        try expect("{")
        var result: [String: Value] = [:]
        while true {
            skipSpaces()
            if peek() == "}" { position += 1; return result }
            let key = try parseString()
            try expect(":")
            result[key] = try parseValue()
            skipSpaces()
            if peek() == "," { position += 1; continue }
            try expect("}")
            return result
        }
    }

    private mutating func parseValue() throws -> Value {
        skipSpaces()
        switch peek() {
        case "'", "\"":
            return .string(try parseString())
        case "(":
            position += 1
            var items: [Int] = []
            while true {
                skipSpaces()
                if peek() == ")" { position += 1; return .tuple(items) }
                items.append(try parseInteger())
                skipSpaces()
                if peek() == "," { position += 1; continue }
                try expect(")")
                return .tuple(items)
            }
        case "[":
            try skipBracketed()
            return .unsupported
        case let c? where c.isNumber:
            return .integer(try parseInteger())
        default:
            let word = parseWord()
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            default: throw error("unexpected '\(word.isEmpty ? String(peek() ?? " ") : word)'")
            }
        }
    }

    private mutating func parseString() throws -> String {
        skipSpaces()
        guard let quote = peek(), quote == "'" || quote == "\"" else {
            throw error("expected a quoted string")
        }
        position += 1
        var text = ""
        while let c = peek(), c != quote {
            text.append(c)
            position += 1
        }
        try expect(quote)
        return text
    }

    private mutating func parseInteger() throws -> Int {
        skipSpaces()
        var digits = ""
        while let c = peek(), c.isASCII, c.isNumber {
            digits.append(c)
            position += 1
        }
        // A trailing L is how Python 2 wrote long integers in old headers.
        if peek() == "L" { position += 1 }
        guard let value = Int(digits) else {
            throw error(digits.isEmpty ? "expected an integer" : "integer \(digits) is too large")
        }
        return value
    }

    private mutating func parseWord() -> String {
        var word = ""
        while let c = peek(), c.isLetter || c == "_" {
            word.append(c)
            position += 1
        }
        return word
    }

    private mutating func skipBracketed() throws {
        var depth = 0
        while let c = peek() {
            position += 1
            if c == "[" { depth += 1 }
            if c == "]" { depth -= 1; if depth == 0 { return } }
        }
        throw error("unterminated list")
    }

    private mutating func expect(_ character: Character) throws {
        skipSpaces()
        guard peek() == character else { throw error("expected '\(character)'") }
        position += 1
    }

    private mutating func skipSpaces() {
        while let c = peek(), c.isWhitespace { position += 1 }
    }

    private func peek() -> Character? {
        position < characters.count ? characters[position] : nil
    }

    private func error(_ reason: String) -> DataError {
        DataError(file: file, field: "header",
                  reason: "\(reason) at character \(position + 1) of the header dictionary")
    }
}
