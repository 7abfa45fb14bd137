/// The spellings the language allows for names.
enum NameRules {
    /// Variables and networks: `^[A-Za-z_][A-Za-z0-9_]*$`, so that back ends can use
    /// them as identifiers.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }

    /// The model and the task: `^[A-Za-z0-9_][A-Za-z0-9_.-]*$`, so that they can stand in a
    /// graph's metadata and each name one plain file or directory (`models/NAME`): never `.`,
    /// `..`, a path or an option. The IR holds graph names to the same rule (`Graph.isValidName`;
    /// a test keeps the two in step).
    static func isModelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != ".", first != "-" else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == "." || $0 == "-"
        }
    }

    static let identifierRule = "names start with a letter or \"_\" and go on with letters, digits or \"_\""
    static let modelNameRule = "a model name starts with a letter, a digit or \"_\" and uses only letters, digits, \"_\", \".\" and \"-\""
    static let taskNameRule = "a task name starts with a letter, a digit or \"_\" and uses only letters, digits, \"_\", \".\" and \"-\""
}
