/// The location of every value and key in a document, by path, so that checks working
/// on decoded names rather than JSON can still point at the text they are about.
struct SourceMap {
    private var values: [JSONPath: SourceLocation] = [:]
    private var keys: [JSONPath: SourceLocation] = [:]

    init(_ root: JSONValue) {
        record(root, at: .root)
    }

    private mutating func record(_ value: JSONValue, at path: JSONPath) {
        values[path] = value.location
        switch value.kind {
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                record(element, at: path.element(index))
            }
        case .object(let members):
            // Decoding reads the first of duplicated keys, so that is the one mapped.
            for member in members where keys[path.member(member.key)] == nil {
                keys[path.member(member.key)] = member.keyLocation
                record(member.value, at: path.member(member.key))
            }
        default:
            break
        }
    }

    /// Where the value at `path` starts, or its key with `anchor: .key`. A path that is
    /// not in the document (a missing member) falls back to its nearest ancestor.
    func location(of path: JSONPath, anchor: Anchor = .value) -> SourceLocation {
        if anchor == .key, let location = keys[path] { return location }
        var path = path
        while true {
            if let location = values[path] { return location }
            if path.components.isEmpty { return SourceLocation(line: 1, column: 1) }
            path = path.parent
        }
    }

    enum Anchor {
        case value
        /// The member's key: for problems with the name itself rather than its value.
        case key
    }
}
