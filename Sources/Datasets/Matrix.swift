/// A dense row-major matrix of doubles: one row per simulation or sample, one column per
/// parameter or data dimension.
public struct Matrix: Equatable, Sendable {
    public var rows: Int
    public var columns: Int
    /// Row-major: element (r, c) is `values[r * columns + c]`.
    public var values: [Double]

    /// A rows × columns matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.rows = max(rows, 0)
        self.columns = max(columns, 0)
        self.values = [Double](repeating: value, count: self.rows * self.columns)
    }

    /// A matrix over existing row-major values; throws if the count does not match.
    public init(rows: Int, columns: Int, values: [Double]) throws {
        let size = rows.multipliedReportingOverflow(by: columns)
        guard rows >= 0, columns >= 0, !size.overflow, size.partialValue == values.count else {
            throw DataError(file: "<matrix>",
                            reason: "\(values.count) values do not fill \(rows) × \(columns)")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix from equal-length rows; throws naming the first row of another length.
    public init(rowArrays: [[Double]]) throws {
        let columns = rowArrays.first?.count ?? 0
        for (index, row) in rowArrays.enumerated() where row.count != columns {
            throw DataError(file: "<matrix>", row: index + 1,
                            reason: "\(row.count) values, expected \(columns)")
        }
        self.rows = rowArrays.count
        self.columns = columns
        self.values = rowArrays.flatMap { $0 }
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// Row `index` as a slice of `values` (indices keep their positions in `values`).
    public func row(_ index: Int) -> ArraySlice<Double> {
        values[index * columns ..< (index + 1) * columns]
    }

    /// Row `index` as a new array.
    public func rowArray(_ index: Int) -> [Double] {
        Array(row(index))
    }

    /// Column `index` as a new array.
    public func column(_ index: Int) -> [Double] {
        (0..<rows).map { values[$0 * columns + index] }
    }

    /// The matrix of the given rows, in the given order.
    public func selectingRows<S: Sequence>(_ indices: S) -> Matrix where S.Element == Int {
        var result: [Double] = []
        var count = 0
        for index in indices {
            result.append(contentsOf: row(index))
            count += 1
        }
        return Matrix(uncheckedRows: count, columns: columns, values: result)
    }

    /// For callers that built `values` with exactly rows × columns elements.
    init(uncheckedRows rows: Int, columns: Int, values: [Double]) {
        self.rows = rows
        self.columns = columns
        self.values = values
    }
}
