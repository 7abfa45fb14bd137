import Foundation

/// Comma-separated numeric tables: one row per line, an optional header line of names.
///
/// Fields may carry surrounding spaces; `nan`, `inf`, `-inf` and `infinity` are read in
/// any letter case. An empty field is an error rather than a silent NaN, and so is a decimal
/// beyond the range of a 64-bit float (`1e999`), which would otherwise become an infinity
/// the file never meant. Lines may end in
/// `\n` or `\r\n`; blank lines at the end of the file are ignored, elsewhere they are
/// errors.
public enum CSV {
    /// Whether the first line holds column names.
    public enum Header: Sendable {
        /// A first line whose fields are all names, none a number, is a header. A line that
        /// mixes names and numbers is read as a damaged row and reported, since taking it for
        /// a header would silently drop a simulation.
        case auto
        case present
        case absent
    }

    /// The numbers of a file and the column names of its header, if it has one.
    public struct Table: Equatable, Sendable {
        public var header: [String]?
        public var matrix: Matrix

        public init(header: [String]?, matrix: Matrix) {
            self.header = header
            self.matrix = matrix
        }
    }

    public static func read(_ path: String, header: Header = .auto) throws -> Matrix {
        try readTable(path, header: header).matrix
    }

    public static func readTable(_ path: String, header: Header = .auto) throws -> Table {
        try parse(readFile(path), file: path, header: header)
    }

    /// Parses CSV bytes; `file` names the source in errors.
    public static func parse(_ data: Data, file: String, header: Header = .auto) throws -> Table {
        // UTF-16 text (a spreadsheet's "Unicode text") has a NUL byte beside every ASCII character.
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
            throw DataError(file: file, reason: "is UTF-16 text; sbic reads CSV files as UTF-8: save it as UTF-8")
        }
        if let nul = data.firstIndex(of: 0) {
            let row = data[..<nul].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw DataError(file: file, row: row, reason: "a NUL byte: this is not a text file (UTF-16 text? save it as UTF-8)")
        }
        let lines = splitLines([UInt8](data))
        guard let first = lines.first else {
            throw DataError(file: file, reason: "empty file")
        }
        let firstFields = splitFields(first.bytes)
        let firstIsHeader: Bool
        switch header {
        case .present:
            firstIsHeader = true
        case .auto:
            firstIsHeader = firstFields.allSatisfy(isName)
        case .absent:
            firstIsHeader = false
            if firstFields.allSatisfy(isName) {
                throw DataError(file: file, row: first.number,
                                reason: "\(quoted(firstFields[0])) looks like a header, but the "
                                    + "file was read as having none")
            }
        }

        let names = firstIsHeader ? firstFields.map(headerName) : nil
        let dataLines = firstIsHeader ? lines.dropFirst() : lines[...]
        let columns = firstFields.count
        var values: [Double] = []
        values.reserveCapacity(dataLines.count * columns)
        for line in dataLines {
            let fields = splitFields(line.bytes)
            guard fields.count == columns else {
                throw DataError(file: file, row: line.number,
                                reason: "\(fields.count) fields, expected \(columns) as in row "
                                    + "\(first.number)")
            }
            for (index, field) in fields.enumerated() {
                switch classify(field) {
                case .number(let value):
                    values.append(value)
                case .beyondRange:
                    throw DataError(file: file, row: line.number, column: index + 1,
                                    reason: "\(quoted(field)) is beyond the range of a 64-bit float")
                case .name:
                    let reason = field.isEmpty ? "empty field" : "\(quoted(field)) is not a number"
                    throw DataError(file: file, row: line.number, column: index + 1,
                                    reason: reason)
                }
            }
        }
        return Table(header: names,
                     matrix: Matrix(uncheckedRows: dataLines.count, columns: columns,
                                    values: values))
    }

    /// CSV text for `matrix`: shortest round-trip decimals, `nan`/`inf`/`-inf` for
    /// non-finite values, and a header line when names are given.
    public static func encode(_ matrix: Matrix, header: [String]? = nil) throws -> Data {
        var text = ""
        if let header {
            guard header.count == matrix.columns else {
                throw DataError(file: "<csv>", reason: "\(header.count) header names for "
                                    + "\(matrix.columns) columns")
            }
            for (index, name) in header.enumerated()
            where name.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) {
                throw DataError(file: "<csv>", column: index + 1,
                                reason: "header name \(quoted(name)) holds a comma, quote or "
                                    + "line break")
            }
            text += header.joined(separator: ",") + "\n"
        }
        for row in 0..<matrix.rows {
            text += matrix.row(row).map { "\($0)" }.joined(separator: ",") + "\n"
        }
        return Data(text.utf8)
    }

    /// Writes `matrix` to `path` atomically (see `AtomicFile`).
    public static func write(_ matrix: Matrix, to path: String, header: [String]? = nil) throws {
        do {
            try AtomicFile.write(encode(matrix, header: header), to: path)
        } catch var error as DataError where error.file == "<csv>" {
            error.file = path
            throw error
        }
    }

    /// One line of a text table: its 1-based line number in the file and its fields.
    public struct Record: Equatable, Sendable {
        public var line: Int
        public var fields: [String]
        public init(line: Int, fields: [String]) { self.line = line; self.fields = fields }
    }

    /// The lines of a table of text, such as the paper's tables, whose fields may be double
    /// quoted (`"64,64"` is one field; `""` inside quotes is a quote). Every line has the
    /// header's number of fields; a quote left open is an error, with its row.
    public static func records(_ data: Data, file: String) throws -> (header: [String], rows: [Record]) {
        let lines = splitLines([UInt8](data))
        guard let first = lines.first else { throw DataError(file: file, reason: "empty file") }
        func fields(_ line: Line) throws -> [String] {
            var result: [String] = [], field: [UInt8] = [], quoted = false, index = line.bytes.startIndex
            while index < line.bytes.endIndex {
                let byte = line.bytes[index]
                if quoted {
                    if byte == UInt8(ascii: "\"") {
                        let next = line.bytes.index(after: index)
                        if next < line.bytes.endIndex, line.bytes[next] == UInt8(ascii: "\"") {
                            field.append(byte); index = next
                        } else {
                            quoted = false
                        }
                    } else {
                        field.append(byte)
                    }
                } else if byte == UInt8(ascii: "\""), trimSpaces(field[...]).isEmpty {
                    quoted = true; field = []
                } else if byte == UInt8(ascii: ",") {
                    result.append(String(decoding: trimSpaces(field[...]), as: UTF8.self)); field = []
                } else {
                    field.append(byte)
                }
                index = line.bytes.index(after: index)
            }
            guard !quoted else { throw DataError(file: file, row: line.number, reason: "a quoted field is not closed") }
            return result + [String(decoding: trimSpaces(field[...]), as: UTF8.self)]
        }
        let header = try fields(first)
        let rows = try lines.dropFirst().map { line in
            let row = try fields(line)
            guard row.count == header.count else {
                throw DataError(file: file, row: line.number,
                                reason: "\(row.count) fields, expected \(header.count) as in row \(first.number)")
            }
            return Record(line: line.number, fields: row)
        }
        return (header, rows)
    }

    /// `records` of the file at `path`.
    public static func readRecords(_ path: String) throws -> (header: [String], rows: [Record]) {
        try records(readFile(path), file: path)
    }

    // MARK: - Parsing pieces

    private struct Line {
        /// 1-based line number in the file.
        var number: Int
        var bytes: ArraySlice<UInt8>
    }

    /// The lines of the file with their numbers, minus a UTF-8 byte-order mark, line-end
    /// `\r`s and trailing blank lines. A blank line before the end stays, and fails later
    /// as a row with the wrong number of fields.
    private static func splitLines(_ bytes: [UInt8]) -> [Line] {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        var lines: [Line] = []
        var number = 1
        var start = body.startIndex
        for index in body.indices where body[index] == UInt8(ascii: "\n") {
            lines.append(Line(number: number, bytes: trimCarriageReturn(body[start..<index])))
            number += 1
            start = index + 1
        }
        if start < body.endIndex {
            lines.append(Line(number: number, bytes: trimCarriageReturn(body[start...])))
        }
        while let last = lines.last, trimSpaces(last.bytes).isEmpty {
            lines.removeLast()
        }
        return lines
    }

    private static func trimCarriageReturn(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == UInt8(ascii: "\r") ? line.dropLast() : line
    }

    private static func trimSpaces(_ field: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = field.firstIndex(where: { !isSpace($0) }),
              let last = field.lastIndex(where: { !isSpace($0) })
        else { return field[field.startIndex..<field.startIndex] }
        return field[first...last]
    }

    private static func splitFields(_ line: ArraySlice<UInt8>) -> [String] {
        line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            .map { String(decoding: trimSpaces($0), as: UTF8.self) }
    }

    private enum Field {
        case number(Double)
        /// Decimal digits whose value no Double holds.
        case beyondRange
        /// Anything that is not a number: a column name, or damage.
        case name
    }

    /// A decimal number or a NaN/infinity literal; anything else, including the hexadecimal
    /// and `nan(...)` forms that `strtod` would also accept, is a name.
    private static func classify(_ field: String) -> Field {
        let lowered = field.lowercased()
        switch lowered {
        case "nan", "+nan", "-nan": return .number(.nan)
        case "inf", "+inf", "infinity", "+infinity": return .number(.infinity)
        case "-inf", "-infinity": return .number(-.infinity)
        default: break
        }
        guard !lowered.isEmpty,
              lowered.utf8.allSatisfy({ isDecimalByte($0) }),
              let value = Double(field)
        else { return .name }
        return value.isFinite ? .number(value) : .beyondRange
    }

    private static func isName(_ field: String) -> Bool {
        if case .name = classify(field) { return true }
        return false
    }

    private static func isDecimalByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"),
             UInt8(ascii: "+"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// A header field without the double quotes a spreadsheet may put around it.
    private static func headerName(_ field: String) -> String {
        if field.count >= 2, field.hasPrefix("\""), field.hasSuffix("\"") {
            return String(field.dropFirst().dropLast())
        }
        return field
    }

    private static func quoted(_ text: String) -> String {
        let shown = text.count > 40 ? text.prefix(40) + "…" : Substring(text)
        return "\"\(shown)\""
    }
}
