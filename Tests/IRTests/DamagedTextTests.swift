import XCTest
import IR

/// `.sbig` files that were edited by hand, damaged on disk or written by a fuzzer: each is
/// read or refused with the line or node at fault, never trapped on.
final class DamagedTextTests: XCTestCase {
    private let text = (try? TextFormatTests.everyOp().text) ?? ""

    private func error(_ text: String) -> String {
        do {
            _ = try Graph.parse(text, file: "g.sbig")
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    /// `text` with the first occurrence of `old` replaced.
    private func replacing(_ old: String, with new: String) -> String {
        guard let range = text.range(of: old) else { XCTFail("no \(old) in the text"); return text }
        return text.replacingCharacters(in: range, with: new)
    }

    func testWindowsLineEndsAreRead() throws {
        let crlf = text.replacingOccurrences(of: "\n", with: "\r\n")
        XCTAssertEqual(try Graph.parse(crlf), try Graph.parse(text))
    }

    /// Found by fuzzing: text after the version was ignored, and a graph without a name
    /// printed as a line that did not parse back.
    func testHeaderAndNameAreComplete() {
        XCTAssertTrue(error(text.replacingOccurrences(of: "sbig 1\ngraph every_op\n", with: "sbig 1@graph every_op\n"))
            .hasPrefix("g.sbig:1: unexpected text"))
        XCTAssertTrue(error(text.replacingOccurrences(of: "graph every_op\n", with: "")).contains("no \"graph NAME\" line"))
    }

    func testShapesMustBePositive() {
        XCTAssertTrue(error(replacing("param w f32[3,4]", with: "param w f32[-3,4]"))
            .contains("parameter w has shape f32[-3,4]; every dimension must be positive"))
        XCTAssertTrue(error(replacing("input x : f32[2,3]", with: "input x : f32[0,3]"))
            .contains("shape f32[0,3]: every dimension must be positive"))
        XCTAssertTrue(error(replacing("kaiming_normal(3)", with: "kaiming_normal(0)")).contains("fan-in 0"))
        XCTAssertTrue(error(replacing("glorot_uniform(3,4)", with: "glorot_uniform(-5,1)"))
            .contains("parameter b has fan-in -5 and fan-out 1; both must be positive"))
        XCTAssertTrue(error(replacing("glorot_uniform(3,4)", with: "glorot_uniform(3,0)")).contains("fan-out 0"))
    }

    /// Offsets and attributes near Int.max must not overflow the verifier's arithmetic.
    func testHugeNumbersAreRefusedWithoutOverflow() {
        let offset = text.range(of: #"@\d+"#, options: .regularExpression)!
        XCTAssertTrue(error(text.replacingCharacters(in: offset, with: "@\(Int.max)")).contains("lies outside the arena"))
        XCTAssertTrue(error(replacing("slice[start=1, count=4]", with: "slice[start=\(Int.max), count=4]")).contains("is outside"))
        XCTAssertTrue(error(replacing("pad[start=2, total=7]", with: "pad[start=\(Int.max), total=7]")).contains("does not fit"))
        XCTAssertThrowsError(try Op.concat.resultShape([[1, Int.max], [1, Int.max]]))
        XCTAssertThrowsError(try Op.slice(start: Int.max, count: Int.max).resultShape([[1, 5]]))
        XCTAssertThrowsError(try Op.pad(start: Int.max, total: Int.min).resultShape([[1, 5]]))
    }
}
