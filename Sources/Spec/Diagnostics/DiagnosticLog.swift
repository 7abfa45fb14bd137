/// Collects the diagnostics for one document, locating each by its JSON path.
struct DiagnosticLog {
    let file: String?
    let sourceMap: SourceMap
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String?, sourceMap: SourceMap) {
        self.file = file
        self.sourceMap = sourceMap
    }

    var isEmpty: Bool { diagnostics.isEmpty }

    mutating func error(_ message: String, at path: JSONPath, anchor: SourceMap.Anchor = .value) {
        error(message, at: path, location: sourceMap.location(of: path, anchor: anchor))
    }

    /// For the rare diagnostic whose location is not the one `path` maps to, such as a
    /// duplicate key (the map holds the first occurrence).
    mutating func error(_ message: String, at path: JSONPath, location: SourceLocation) {
        diagnostics.append(Diagnostic(file: file, path: path.description,
                                      line: location.line, column: location.column,
                                      message: message))
    }

    /// The diagnostics in document order; those at one place keep the order of the checks.
    var sorted: [Diagnostic] {
        diagnostics.enumerated()
            .sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }
            .map(\.element)
    }
}
