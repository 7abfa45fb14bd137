import XCTest
@testable import Spec

final class JSONNumberTests: XCTestCase {
    private func integer(_ literal: String) -> Int? {
        JSONNumber(literal: literal).integerValue
    }

    func testIntegersAreDecidedFromTheDigits() {
        XCTAssertEqual(integer("0"), 0)
        XCTAssertEqual(integer("-0"), 0)
        XCTAssertEqual(integer("128"), 128)
        XCTAssertEqual(integer("1e3"), 1000)
        XCTAssertEqual(integer("1.0"), 1)
        XCTAssertEqual(integer("250.0e-1"), 25)
        XCTAssertEqual(integer("0.00e5"), 0)
        XCTAssertEqual(integer("12300E-2"), 123)
        XCTAssertNil(integer("2.5"))
        XCTAssertNil(integer("2147483647.0000000001"))
        XCTAssertNil(integer("1e-1"))
        XCTAssertNil(integer("0.1e1000000000000"))
    }

    func testIntegersAtTheLimitsOfInt() {
        XCTAssertEqual(integer("9223372036854775807"), Int.max)
        XCTAssertEqual(integer("-9223372036854775808"), Int.min)
        XCTAssertNil(integer("9223372036854775808"))
        XCTAssertNil(integer("-9223372036854775809"))
        XCTAssertNil(integer("99999999999999999999"))
        XCTAssertNil(integer("1e19"))
        XCTAssertNil(integer("1e999"))
        XCTAssertEqual(integer("0." + String(repeating: "0", count: 100_000) + "1e100001"), 1)
    }
}
