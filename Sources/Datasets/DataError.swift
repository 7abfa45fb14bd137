/// A data file that cannot be read or written, with the place in it that is wrong.
///
/// Printed as `y.csv: row 17, column 3: "abc" is not a number`. Rows and columns are
/// 1-based and count every line of a text file, the header included, so they match what
/// an editor or a spreadsheet shows; in a `.npy` file a row is a row of the array.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as it was named to sbic.
    public var file: String
    /// 1-based line of a text file, when the error belongs to one.
    public var row: Int?
    /// 1-based column (field) of a text file, when the error belongs to one.
    public var column: Int?
    /// A named part of the file, such as a `.npy` header key.
    public var field: String?
    /// What is wrong.
    public var reason: String

    public init(file: String, row: Int? = nil, column: Int? = nil, field: String? = nil,
                reason: String) {
        self.file = file
        self.row = row
        self.column = column
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var place: [String] = []
        if let row { place.append("row \(row)") }
        if let column { place.append("column \(column)") }
        if let field { place.append("field '\(field)'") }
        let location = place.isEmpty ? "" : place.joined(separator: ", ") + ": "
        return "\(file): \(location)\(reason)"
    }
}
