import Foundation

extension ModelSpec {
    /// Parses and validates a specification. Throws a `SpecError` listing every problem
    /// found, in document order; `file` only labels the diagnostics. A task among `tasks`
    /// (the built-in simulators) is checked against the spec's sizes.
    public static func parse(_ text: String, file: String? = nil, tasks: [BuiltInTask] = []) throws -> ModelSpec {
        let root = try JSONValue.parse(text, file: file)
        var log = DiagnosticLog(file: file, sourceMap: SourceMap(root))
        var draft = SpecDecoder.decode(root, log: &log)
        let dataFlow = SpecChecker.check(&draft, log: &log, tasks: tasks)
        if log.isEmpty, let dataFlow, let spec = draft.assemble(with: dataFlow) {
            return spec
        }
        guard log.isEmpty else { throw SpecError(diagnostics: log.sorted) }
        // Unreachable: every part a draft lacks was reported when it was found lacking.
        throw SpecError(diagnostics: [Diagnostic(file: file, path: "$", line: 1, column: 1,
                                                 message: "the specification is incomplete")])
    }

    /// Reads and parses the file at `path`. A file that cannot be read, or is not UTF-8,
    /// is reported as a `SpecError` too.
    public static func load(path: String, tasks: [BuiltInTask] = []) throws -> ModelSpec {
        try parse(read(path: path), file: path, tasks: tasks)
    }

    /// The text of the spec file at `path`, for a caller that keeps it beside the parsed spec.
    /// A file that cannot be read, or is not UTF-8, is a `SpecError` as in `load`.
    public static func read(path: String) throws -> String {
        func failure(_ message: String) -> SpecError {
            SpecError(diagnostics: [Diagnostic(file: path, path: "", line: 0, column: 0, message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("no such file")
        }
        // A pipe or a device (/dev/zero) has no end a reader can rely on.
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let type = (try? FileManager.default.attributesOfItem(atPath: target))?[.type] as? FileAttributeType
        guard isDirectory.boolValue || type == .typeRegular else { throw failure("not a regular file (a pipe or a device)") }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw failure("cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw failure("the file is not valid UTF-8")
        }
        return text
    }
}
