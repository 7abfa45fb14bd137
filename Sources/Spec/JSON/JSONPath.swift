/// Where a value sits in a document, written the way diagnostics show it:
/// `networks.decoder.inputs[1]`, with `$` for the document itself. Keys that are not
/// identifiers are quoted: `variables["2z"]`.
struct JSONPath: Hashable, Sendable, CustomStringConvertible {
    enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    var components: [Component] = []

    static let root = JSONPath()

    func member(_ key: String) -> JSONPath {
        JSONPath(components: components + [.key(key)])
    }

    func element(_ index: Int) -> JSONPath {
        JSONPath(components: components + [.index(index)])
    }

    /// The path with its last component removed; the root is its own parent.
    var parent: JSONPath {
        JSONPath(components: components.dropLast())
    }

    var description: String {
        if components.isEmpty { return "$" }
        var text = ""
        for component in components {
            switch component {
            case .key(let key) where Self.isPlain(key):
                text += text.isEmpty ? key : "." + key
            case .key(let key):
                text += "[" + quoted(key) + "]"
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    /// Whether `key` can be written without quotes: an identifier, allowing `$`
    /// so that `$schema` reads naturally.
    private static func isPlain(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first.isASCIILetter || first == "_" || first == "$"
        else { return false }
        return key.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == "$" }
    }
}
