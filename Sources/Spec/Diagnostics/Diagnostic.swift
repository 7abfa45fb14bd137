/// One problem found in a specification, located by JSON path and by line and column.
public struct Diagnostic: Equatable, Sendable, CustomStringConvertible {
    /// The file named when parsing, if any; it only labels the diagnostic.
    public var file: String?
    /// The JSON path of the offending value, as in `networks.decoder.inputs[1]`; `$` is
    /// the document itself, and the path is empty when no value is involved (an
    /// unreadable file, or a syntax error before the first value).
    public var path: String
    /// 1-based; both are 0 when the diagnostic concerns the file as a whole.
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String? = nil, path: String, line: Int, column: Int, message: String) {
        self.file = file
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: path: message`, the form editors and terminals recognise,
    /// leaving out the parts that do not apply.
    public var description: String {
        var text = file.map { $0 + ":" } ?? ""
        if line > 0 { text += "\(line):\(column):" }
        if !text.isEmpty { text += " " }
        if !path.isEmpty { text += path + ": " }
        return text + message
    }
}

/// Why a specification was rejected: every problem found, in document order.
public struct SpecError: Error, Equatable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One diagnostic per line.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
