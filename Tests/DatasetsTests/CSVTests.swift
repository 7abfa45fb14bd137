import Datasets
import Foundation
import TestSupport
import XCTest

final class CSVTests: XCTestCase {
    private func parse(_ text: String, header: CSV.Header = .auto) throws -> CSV.Table {
        try CSV.parse(Data(text.utf8), file: "y.csv", header: header)
    }

    private func message(_ text: String, header: CSV.Header = .auto) -> String {
        do {
            _ = try parse(text, header: header)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    /// Text tables: quoted fields keep their commas and quotes; rows keep their line numbers.
    func testRecords() throws {
        let (header, rows) = try CSV.records(Data("task,hidden,note\r\nslcp,\"200,200\",\"say \"\"hi\"\"\"\r\nsir, 100 ,\n".utf8), file: "a.csv")
        XCTAssertEqual(header, ["task", "hidden", "note"])
        XCTAssertEqual(rows, [CSV.Record(line: 2, fields: ["slcp", "200,200", "say \"hi\""]), CSV.Record(line: 3, fields: ["sir", "100", ""])])
        XCTAssertThrowsError(try CSV.records(Data("a,b,c\n1,\"2,3\"\n".utf8), file: "a.csv")) { error in
            XCTAssertEqual("\(error)", "a.csv: row 2: 2 fields, expected 3 as in row 1", "a quoted comma separates nothing")
        }
        XCTAssertThrowsError(try CSV.records(Data("a,b\n\"x,y\n".utf8), file: "a.csv")) { error in
            XCTAssertEqual("\(error)", "a.csv: row 2: a quoted field is not closed")
        }
        XCTAssertThrowsError(try CSV.records(Data("a,b\n1,2\n\n3,4\n".utf8), file: "a.csv")) { error in
            XCTAssertEqual("\(error)", "a.csv: row 3: 1 fields, expected 2 as in row 1", "a blank line inside the table")
        }
        XCTAssertThrowsError(try CSV.records(Data(), file: "a.csv")) { XCTAssertEqual("\($0)", "a.csv: empty file") }
    }

    func testHeaderDetection() throws {
        let withHeader = try parse("a,b\n1,2\n3,4\n")
        XCTAssertEqual(withHeader.header, ["a", "b"])
        XCTAssertEqual(withHeader.matrix, try Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]))
        let without = try parse("1,2\n3,4\n")
        XCTAssertNil(without.header)
        XCTAssertEqual(without.matrix.rows, 2)
        // Names that look like numbers need the header declared.
        let numericNames = try parse("0,1\n5,6\n", header: .present)
        XCTAssertEqual(numericNames.header, ["0", "1"])
        XCTAssertEqual(numericNames.matrix.values, [5, 6])
        // sbibm's LaTeX column names, quoted names, and a header with no rows.
        XCTAssertEqual(try parse("$\\beta$,$\\gamma$\n0.5,0.1\n").header, ["$\\beta$", "$\\gamma$"])
        XCTAssertEqual(try parse("\"a\", \"b\"\n1,2\n").header, ["a", "b"])
        let headerOnly = try parse("a,b,c\n")
        XCTAssertEqual(headerOnly.matrix.rows, 0)
        XCTAssertEqual(headerOnly.matrix.columns, 3)
    }

    /// A first line that mixes names and numbers is a damaged row, not a header: taking it
    /// for one would drop a simulation without a word, and pair θ and y of different rows.
    func testAMixedFirstLineIsNoHeader() {
        XCTAssertEqual(message("0.5,1.5x\n1,2\n"), "y.csv: row 1, column 2: \"1.5x\" is not a number")
        XCTAssertEqual(message("theta_1,2\n1,2\n"), "y.csv: row 1, column 1: \"theta_1\" is not a number")
        XCTAssertEqual(message("1,2\n3,4\na,b\n5,6\n"), "y.csv: row 3, column 1: \"a\" is not a number")
    }

    /// A decimal beyond a Double would be read as an infinity the file never meant.
    func testNumbersBeyondRangeAreErrors() {
        XCTAssertEqual(message("1,2\n3,1e999\n"), "y.csv: row 2, column 2: \"1e999\" is beyond the range of a 64-bit float")
        XCTAssertEqual(message("-1e400\n"), "y.csv: row 1, column 1: \"-1e400\" is beyond the range of a 64-bit float")
        XCTAssertEqual(try parse("1e-400,inf\n").matrix.values, [0, .infinity], "underflow is the nearest value")
    }

    func testNumberForms() throws {
        let table = try parse("1e-3, -2.5E+2 ,nan,NaN,inf,-Inf,+infinity,.5,7\n", header: .absent)
        let v = table.matrix.values
        XCTAssertEqual(v[0], 1e-3)
        XCTAssertEqual(v[1], -250)
        XCTAssert(v[2].isNaN && v[3].isNaN)
        XCTAssertEqual(Array(v[4...]), [.infinity, -.infinity, .infinity, 0.5, 7])
    }

    func testLineEndings() throws {
        let expected = try Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4])
        XCTAssertEqual(try parse("a,b\r\n1,2\r\n3,4\r\n").matrix, expected)
        XCTAssertEqual(try parse("a,b\n1,2\n3,4").matrix, expected)
        XCTAssertEqual(try parse("\u{FEFF}a,b\n1,2\n3,4\n\n  \n").matrix, expected)
    }

    func testErrorsNameRowAndColumn() {
        var text = "a,b,c\n"
        for row in 2...16 { text += "\(row),0,0\n" }
        XCTAssertEqual(message(text + "1,2,abc\n"), "y.csv: row 17, column 3: \"abc\" is not a number")
        XCTAssertEqual(message("a,b\n1,2\n3\n"), "y.csv: row 3: 1 fields, expected 2 as in row 1")
        XCTAssertEqual(message("a,b\n1,2\n3,4,5\n"), "y.csv: row 3: 3 fields, expected 2 as in row 1")
        XCTAssertEqual(message("a,b\n1,2\n\n3,4\n"), "y.csv: row 3: 1 fields, expected 2 as in row 1")
        XCTAssertEqual(message("a,b\n1,\n"), "y.csv: row 2, column 2: empty field")
        XCTAssertEqual(message(""), "y.csv: empty file")
        XCTAssertEqual(message(" \n\n"), "y.csv: empty file")
        XCTAssertEqual(message("x,y\n1,2\n", header: .absent),
                       "y.csv: row 1: \"x\" looks like a header, but the file was read as having none")
        XCTAssertEqual(message("1,2\n3,0x10\n"), "y.csv: row 2, column 2: \"0x10\" is not a number")
        XCTAssertEqual(message("1,2\n3,nan(1)\n"), "y.csv: row 2, column 2: \"nan(1)\" is not a number")
    }

    func testRoundTripThroughFile() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/samples.csv"
        let values = [0.1, -2.5e-300, .nan, .infinity, -.infinity, 1.0 / 3.0, 123_456_789, -0.0]
        let matrix = try Matrix(rows: 4, columns: 2, values: values)
        try CSV.write(matrix, to: path, header: ["theta_1", "theta_2"])
        let table = try CSV.readTable(path)
        XCTAssertEqual(table.header, ["theta_1", "theta_2"])
        for (read, written) in zip(table.matrix.values, values) {
            XCTAssert(read == written || (read.isNaN && written.isNaN), "\(read) vs \(written)")
        }
        try CSV.write(matrix, to: path)
        XCTAssertEqual(try CSV.read(path, header: .absent).rows, 4)
    }

    func testWriteRejectsBadHeaders() throws {
        let matrix = Matrix(rows: 1, columns: 2)
        let path = try temporaryDirectory() + "/out.csv"
        XCTAssertThrowsError(try CSV.write(matrix, to: path, header: ["a"])) { error in
            XCTAssertEqual("\(error)", "\(path): 1 header names for 2 columns")
        }
        XCTAssertThrowsError(try CSV.write(matrix, to: path, header: ["a", "b,c"])) { error in
            XCTAssertEqual("\(error)", "\(path): column 2: header name \"b,c\" holds a comma, quote or line break")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testNeverTrapsOnArbitraryBytes() {
        var generator = TestRandom(seed: 20_261_207)
        let alphabet = Array("0123456789,.-+eEnaifNI \r\n\"\u{FEFF}x".utf8) + [0xFF, 0xC3, 0x00]
        for _ in 0..<3_000 {
            let count = Int.random(in: 0..<80, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            for header in [CSV.Header.auto, .present, .absent] {
                _ = try? CSV.parse(Data(bytes), file: "x.csv", header: header)
            }
        }
    }
}
