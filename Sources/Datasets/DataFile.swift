import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A table of numbers read from a `.npy` or `.csv` file, one row per simulation or
/// observation, that remembers where its rows lie in the file, so that checks made after
/// reading (row counts, NaN and ±∞) can name the file and the row as the reader does.
public struct DataFile: Sendable {
    /// The file as it was named to sbic.
    public var path: String
    public var matrix: Matrix
    /// The 1-based row of the file that holds row 0 of `matrix`: 2 below a CSV header,
    /// otherwise 1.
    public var firstRow: Int
    /// The column names of a CSV file's header.
    public var header: [String]?

    public init(path: String, matrix: Matrix, firstRow: Int = 1, header: [String]? = nil) {
        self.path = path
        self.matrix = matrix
        self.firstRow = firstRow
        self.header = header
    }

    /// Reads `path` by its extension: `.npy` or `.csv` (whose header, if any, is detected).
    public static func read(_ path: String) throws -> DataFile {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "npy":
            return DataFile(path: path, matrix: try NPY.read(path))
        case "csv":
            let table = try CSV.readTable(path)
            return DataFile(path: path, matrix: table.matrix, firstRow: table.header == nil ? 1 : 2, header: table.header)
        default:
            throw DataError(file: path, reason: "expected a .npy or .csv file")
        }
    }

    /// The most memory, in bytes, that reading `path` may take, from what the file says of
    /// itself without reading it: a `.npy` file's shape, a CSV file's length (at most one
    /// value per two bytes, "1,"). Reading holds the file's bytes twice and its values as
    /// doubles. Anything that is not a regular file counts 0: reading it fails with the reason.
    public static func memoryToRead(_ path: String) throws -> Int {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return 0 }
        let size = Int(status.st_size)
        let values: Int
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "npy":
            // numpy's headers are far shorter than a megabyte.
            guard let handle = FileHandle(forReadingAtPath: path) else { return 0 }
            defer { try? handle.close() }
            let header = try NPYHeader([UInt8](try handle.read(upToCount: 1 << 20) ?? Data()), file: path)
            values = header.rows * header.columns
        default:
            values = size / 2 + 1
        }
        let (doubles, overflow) = values.multipliedReportingOverflow(by: MemoryLayout<Double>.stride)
        let (total, overflow2) = (2 * size).addingReportingOverflow(doubles)
        return overflow || overflow2 ? Int.max : total
    }

    /// An error at row `row` (0-based, of `matrix`) and optionally column `column` (0-based).
    public func error(row: Int, column: Int? = nil, _ reason: String) -> DataError {
        DataError(file: path, row: firstRow + row, column: column.map { $0 + 1 }, reason: reason)
    }

    /// Row `row` and column `column` (0-based, of `matrix`) as the file numbers them:
    /// "y.csv, row 7, column 2".
    public func place(row: Int, column: Int) -> String {
        "\(path), row \(firstRow + row), column \(column + 1)"
    }

    /// An error about the file as a whole.
    public func error(_ reason: String) -> DataError {
        DataError(file: path, reason: reason)
    }

    /// The first NaN or ±∞ in reading order, as 0-based (row, column) of `matrix`.
    public var firstNonFinite: (row: Int, column: Int)? {
        guard let index = matrix.values.firstIndex(where: { !$0.isFinite }) else { return nil }
        return (index / matrix.columns, index % matrix.columns)
    }
}
