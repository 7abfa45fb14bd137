import XCTest
@testable import Spec

/// No input, however mangled, may trap: each must parse or produce diagnostics.
final class RobustnessTests: XCTestCase {
    /// Parses `text` and checks that a failure explains itself with located diagnostics.
    private func survive(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try ModelSpec.parse(text)
        } catch let error as SpecError {
            XCTAssertFalse(error.diagnostics.isEmpty, file: file, line: line)
            for diagnostic in error.diagnostics {
                XCTAssertGreaterThan(diagnostic.line, 0, "\(diagnostic)", file: file, line: line)
                XCTAssertGreaterThan(diagnostic.column, 0, "\(diagnostic)", file: file, line: line)
            }
        } catch {
            XCTFail("threw \(error)", file: file, line: line)
        }
    }

    func testEveryTruncation() {
        let text = Array(Fixture.upvae.unicodeScalars)
        for length in 0..<text.count {
            survive(String(String.UnicodeScalarView(text[..<length])))
        }
    }

    func testRandomCorruptions() {
        // A fixed linear congruential generator keeps failures reproducible.
        var state: UInt64 = 0x5EED
        func random(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        let alphabet = Array(#"{}[]:,"\-+.eE0123456789 abcnrtuflsxy_z"#.unicodeScalars) + ["\n", "é", "\u{0}"]
        let original = Array(Fixture.cpvae.unicodeScalars)
        for _ in 0..<2_000 {
            var text = original
            for _ in 0...random(4) {
                let index = random(text.count)
                switch random(3) {
                case 0: text[index] = alphabet[random(alphabet.count)]
                case 1: text.remove(at: index)
                default: text.insert(alphabet[random(alphabet.count)], at: index)
                }
            }
            survive(String(String.UnicodeScalarView(text)))
        }
    }

    func testHostileValues() {
        let spec = Fixture.cpvae
        for size in ["1e999", "-1e999", "1e-999", "99999999999999999999", "-0", "0.0", "1e2147483648",
                     "1" + String(repeating: "0", count: 10_000), "0." + String(repeating: "0", count: 10_000) + "1"] {
            survive(spec.replacing(#""z": 2 }"#, with: "\"z\": \(size) }"))
            survive(spec.replacing(#""weight": 1.0 },"#, with: "\"weight\": \(size) },"))
            survive(spec.replacing(#""hidden": [128, 128],"#, with: "\"hidden\": [\(size)],"))
        }
        survive(spec.replacing(#""z": 2 }"#, with: "\"\(String(repeating: "k", count: 100_000))\": 1 }"))
    }
}
