import Datasets
import Foundation
import TestSupport
import XCTest

final class DataFileTests: XCTestCase {
    func testRowsAreNumberedAsInTheFile() throws {
        let directory = try temporaryDirectory()
        try "a,b\n1,2\n3,nan\n".write(toFile: directory + "/y.csv", atomically: true, encoding: .utf8)
        try "1,2\n3,-inf\n".write(toFile: directory + "/plain.csv", atomically: true, encoding: .utf8)
        try NPY.write(try Matrix(rows: 2, columns: 2, values: [1, 2, .infinity, 4]), to: directory + "/y.npy")

        let csv = try DataFile.read(directory + "/y.csv")
        XCTAssertEqual(csv.firstRow, 2, "below the header")
        XCTAssertEqual(csv.firstNonFinite?.row, 1)
        XCTAssertEqual(csv.firstNonFinite?.column, 1)
        XCTAssertEqual(csv.place(row: 1, column: 1), directory + "/y.csv, row 3, column 2")
        XCTAssertEqual("\(csv.error(row: 1, column: 1, "bad"))", directory + "/y.csv: row 3, column 2: bad")

        let plain = try DataFile.read(directory + "/plain.csv")
        XCTAssertEqual(plain.place(row: plain.firstNonFinite!.row, column: plain.firstNonFinite!.column),
                       directory + "/plain.csv, row 2, column 2")
        let npy = try DataFile.read(directory + "/y.npy")
        XCTAssertEqual(npy.place(row: npy.firstNonFinite!.row, column: npy.firstNonFinite!.column),
                       directory + "/y.npy, row 2, column 1")
        XCTAssertNil(try DataFile(path: "x", matrix: Matrix(rows: 3, columns: 2)).firstNonFinite)
    }

    /// A pipe or a device has no end a reader can rely on.
    func testOnlyRegularFilesAreRead() throws {
        let directory = try temporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: directory + "/zero.npy", withDestinationPath: "/dev/zero")
        XCTAssertEqual(mkfifo(directory + "/pipe.csv", 0o600), 0)
        for name in ["zero.npy", "pipe.csv"] {
            XCTAssertThrowsError(try DataFile.read(directory + "/" + name)) { error in
                XCTAssertEqual("\(error)", "\(directory)/\(name): is not a regular file (a pipe or a device)")
            }
        }
    }

    func testOnlyNpyAndCsvAreRead() throws {
        let directory = try temporaryDirectory()
        try "1,2\n".write(toFile: directory + "/y.txt", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DataFile.read(directory + "/y.txt")) { error in
            XCTAssertEqual("\(error)", directory + "/y.txt: expected a .npy or .csv file")
        }
        XCTAssertThrowsError(try DataFile.read(directory + "/none.csv")) { error in
            XCTAssertEqual("\(error)", directory + "/none.csv: no such file")
        }
    }
}
