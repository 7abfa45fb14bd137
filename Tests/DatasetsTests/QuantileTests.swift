import Datasets
import XCTest

final class QuantileTests: XCTestCase {
    /// numpy.quantile([1, 2, 4, 8], [0, 0.25, 0.5, 0.75, 0.9, 1]) = [1, 1.75, 3, 5, 6.8, 8].
    func testMatchesNumpy() {
        let values: [Double] = [1, 2, 4, 8]
        for (q, expected) in [(0.0, 1.0), (0.25, 1.75), (0.5, 3), (0.75, 5), (0.9, 6.8), (1, 8)] {
            XCTAssertEqual(quantile(sorted: values, q), expected, accuracy: 1e-12, "q = \(q)")
        }
        XCTAssertEqual(quantile(sorted: [3], 0.5), 3)
        XCTAssertTrue(quantile(sorted: [], 0.5).isNaN)
    }
}
