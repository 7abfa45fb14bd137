/// The spellings the language allows for names.
enum NameRules {
    /// Variables and networks: `^[A-Za-z_][A-Za-z0-9_]*$`, so that back ends can use
    /// them as identifiers.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }

    /// The model and the task: `^[A-Za-z0-9_.-]+$`, so that they can name files and directories
    /// and stand in a graph's metadata.
    static func isModelName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy {
            $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == "." || $0 == "-"
        }
    }

    static let identifierRule = "names start with a letter or \"_\" and go on with letters, digits or \"_\""
    static let modelNameRule = "a model name uses only letters, digits, \"_\", \".\" and \"-\""
    static let taskNameRule = "a task name uses only letters, digits, \"_\", \".\" and \"-\""
}
