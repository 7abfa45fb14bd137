/// A JSON value as it was written. Objects keep their members in document order,
/// duplicates included, so that a consumer can report them; numbers keep their literal
/// text (see `JSONNumber`); every value and every key records where it starts.
public struct JSONValue: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case null
        case bool(Bool)
        case number(JSONNumber)
        case string(String)
        case array([JSONValue])
        case object([JSONMember])
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// Parses a complete RFC 8259 document. A syntax error is thrown as a `SpecError`
    /// holding one diagnostic; `file` only labels it.
    public static func parse(_ text: String, file: String? = nil) throws -> JSONValue {
        var parser = JSONParser(text)
        do {
            return try parser.parseDocument()
        } catch let error as JSONSyntaxError {
            throw SpecError(diagnostics: [Diagnostic(
                file: file, path: error.path.description,
                line: error.location.line, column: error.location.column,
                message: error.message)])
        }
    }

    /// The value of the first member named `key`, when this is an object that has one.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = kind else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The kind of value with its article, for messages: "an object", "a number", "null".
    public var kindDescription: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// One `"key": value` pair of an object.
public struct JSONMember: Equatable, Sendable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: JSONValue

    public init(key: String, keyLocation: SourceLocation, value: JSONValue) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}
