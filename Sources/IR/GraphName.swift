extension Graph {
    /// Whether `name` may name a graph: `^[A-Za-z0-9_][A-Za-z0-9_.-]*$`. A graph's name becomes
    /// a directory (`models/NAME`), so it must be one plain file name: never `.`, `..`, a path or
    /// an option. The spec language holds model names to the same rule (a test keeps the two in step).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first != ".", first != "-" else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)
        }
    }

    public static let nameRule = "a graph name starts with a letter, a digit or \"_\" and uses only letters, digits, \"_\", \".\" and \"-\""
}
