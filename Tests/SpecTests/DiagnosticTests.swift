import XCTest
@testable import Spec

final class DiagnosticTests: XCTestCase {
    func testDescription() {
        XCTAssertEqual(Diagnostic(file: "specs/x.json", path: "networks.decoder.inputs[1]", line: 12, column: 5,
                                  message: "unknown variable \"w\"").description,
                       "specs/x.json:12:5: networks.decoder.inputs[1]: unknown variable \"w\"")
        XCTAssertEqual(Diagnostic(path: "$", line: 1, column: 1, message: "m").description, "1:1: $: m")
        XCTAssertEqual(Diagnostic(path: "", line: 3, column: 4, message: "m").description, "3:4: m")
        XCTAssertEqual(Diagnostic(file: "x.json", path: "", line: 0, column: 0, message: "no such file").description,
                       "x.json: no such file")
    }

    func testSpecErrorListsOneDiagnosticPerLine() {
        let error = SpecError(diagnostics: [
            Diagnostic(file: "a.json", path: "name", line: 2, column: 3, message: "one"),
            Diagnostic(file: "a.json", path: "loss", line: 9, column: 1, message: "two"),
        ])
        XCTAssertEqual(error.description, "a.json:2:3: name: one\na.json:9:1: loss: two")
    }

    func testPathsQuoteKeysThatAreNotIdentifiers() {
        let path = JSONPath.root.member("networks").member("a b").member("inputs").element(2)
        XCTAssertEqual(path.description, #"networks["a b"].inputs[2]"#)
        XCTAssertEqual(JSONPath.root.description, "$")
        XCTAssertEqual(JSONPath.root.element(0).member("$schema").description, "[0].$schema")
        XCTAssertEqual(JSONPath.root.member("q\"\n").description, #"["q\"\n"]"#)
    }

    func testParseLabelsDiagnosticsWithTheFile() {
        XCTAssertThrowsError(try ModelSpec.parse("{", file: "m.json")) { error in
            XCTAssertEqual("\(error)", "m.json:1:2: $: expected a string key, found the end of the document")
        }
    }
}
