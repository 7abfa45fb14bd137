import Datasets
import XCTest

final class MatrixTests: XCTestCase {
    func testAccess() throws {
        var matrix = try Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(matrix[1, 0], 4)
        XCTAssertEqual(Array(matrix.row(1)), [4, 5, 6])
        XCTAssertEqual(matrix.rowArray(0), [1, 2, 3])
        XCTAssertEqual(matrix.column(2), [3, 6])
        matrix[0, 2] = -1
        XCTAssertEqual(matrix.values, [1, 2, -1, 4, 5, 6])
        XCTAssertEqual(matrix.selectingRows([1, 1, 0]).values, [4, 5, 6, 4, 5, 6, 1, 2, -1])
    }

    func testInitializersCheckShapes() throws {
        XCTAssertThrowsError(try Matrix(rows: 2, columns: 2, values: [1, 2, 3]))
        XCTAssertThrowsError(try Matrix(rows: -1, columns: 0, values: []))
        XCTAssertThrowsError(try Matrix(rows: Int.max, columns: 2, values: []))
        XCTAssertThrowsError(try Matrix(rowArrays: [[1, 2], [3]])) { error in
            XCTAssertEqual("\(error)", "<matrix>: row 2: 1 values, expected 2")
        }
        XCTAssertEqual(try Matrix(rowArrays: [[1, 2], [3, 4]]).values, [1, 2, 3, 4])
        XCTAssertEqual(Matrix(rows: 2, columns: 2, repeating: 7).values, [7, 7, 7, 7])
        XCTAssertEqual(Matrix(rows: -3, columns: 2).values, [])
    }
}
