import XCTest
@testable import Spec

final class JSONParserTests: XCTestCase {
    /// The single diagnostic a malformed document produces, as "line:column: path: message".
    private func syntaxError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let value = try JSONValue.parse(text)
            XCTFail("parsed \(value)", file: file, line: line)
        } catch let error as SpecError {
            XCTAssertEqual(error.diagnostics.count, 1, file: file, line: line)
            return error.description
        } catch {
            XCTFail("threw \(error)", file: file, line: line)
        }
        return ""
    }

    func testValuesKeyOrderAndDuplicates() throws {
        let value = try JSONValue.parse(#"{"b": [true, false, null], "a": -1.5e3, "b": "x"}"#)
        guard case .object(let members) = value.kind else { return XCTFail("not an object") }
        XCTAssertEqual(members.map(\.key), ["b", "a", "b"])
        XCTAssertEqual(members[0].value.kind, .array([
            JSONValue(.bool(true), at: SourceLocation(line: 1, column: 8)),
            JSONValue(.bool(false), at: SourceLocation(line: 1, column: 14)),
            JSONValue(.null, at: SourceLocation(line: 1, column: 21)),
        ]))
        guard case .number(let number) = members[1].value.kind else { return XCTFail("not a number") }
        XCTAssertEqual(number.literal, "-1.5e3")
        XCTAssertEqual(number.doubleValue, -1500)
        XCTAssertEqual(number.integerValue, -1500)
        // The subscript sees the first of duplicated keys.
        XCTAssertEqual(value["b"]?.location, SourceLocation(line: 1, column: 7))
    }

    func testLocationsOfValuesAndKeys() throws {
        let value = try JSONValue.parse("{\n  \"ünï\": [1,\r\n\t  \"ß\"],\r  \"k\": {}\n}")
        guard case .object(let members) = value.kind,
              case .array(let elements) = members[0].value.kind else { return XCTFail("shape") }
        XCTAssertEqual(value.location, SourceLocation(line: 1, column: 1))
        XCTAssertEqual(members[0].keyLocation, SourceLocation(line: 2, column: 3))
        // Columns count Unicode scalars, not UTF-8 bytes.
        XCTAssertEqual(members[0].value.location, SourceLocation(line: 2, column: 10))
        XCTAssertEqual(elements[1].location, SourceLocation(line: 3, column: 4))
        // A lone carriage return ends a line too.
        XCTAssertEqual(members[1].keyLocation, SourceLocation(line: 4, column: 3))
        XCTAssertEqual(members[1].value.location, SourceLocation(line: 4, column: 8))
    }

    func testStringEscapes() throws {
        let value = try JSONValue.parse(#"["\"\\\/\b\f\n\r\t", "\u0041\u00e9\u4e2D", "\ud83d\ude00!", "\u0000"]"#)
        guard case .array(let elements) = value.kind else { return XCTFail("not an array") }
        XCTAssertEqual(elements.map(\.kind), [
            .string("\"\\/\u{8}\u{C}\n\r\t"), .string("Aé中"), .string("😀!"), .string("\u{0}"),
        ])
    }

    func testInvalidEscapes() {
        XCTAssertEqual(syntaxError(#"["ab\x"]"#), #"1:5: [0]: invalid escape '\x'"#)
        XCTAssertEqual(syntaxError(#"["\u12G4"]"#), #"1:3: [0]: '\u' must be followed by four hex digits"#)
        XCTAssertEqual(syntaxError(#"["\ud83d"]"#), "1:3: [0]: a high surrogate escape must be followed by a low one")
        XCTAssertEqual(syntaxError(#"["\ud83d\u0041"]"#),
                       "1:3: [0]: a high surrogate escape must be followed by a low one")
        XCTAssertEqual(syntaxError(#"["\ude00"]"#), "1:3: [0]: a low surrogate escape must follow a high one")
        XCTAssertEqual(syntaxError("[\"a\tb\"]"), "1:4: [0]: a control character (U+0009) must be escaped in a string")
        XCTAssertEqual(syntaxError("{\"k\": \"abc"), "1:7: k: unterminated string")
        XCTAssertEqual(syntaxError("[\"ab\\"), "1:2: [0]: unterminated string")
    }

    func testMalformedDocumentsPointAtTheProblem() {
        XCTAssertEqual(syntaxError(""), "1:1: $: expected a value, found the end of the document")
        XCTAssertEqual(syntaxError("{\n  \"a\": 1\n  \"b\": 2\n}"), "3:3: $: expected ',' or '}', found '\"'")
        XCTAssertEqual(syntaxError("{\"a\": [1, 2 3]}"), "1:13: a: expected ',' or ']', found '3'")
        XCTAssertEqual(syntaxError("{\"a\" 1}"), "1:6: $: expected ':' after the key, found '1'")
        XCTAssertEqual(syntaxError("{\"a\": 1,}"), "1:9: $: expected a key after ',' (JSON does not allow a trailing comma)")
        XCTAssertEqual(syntaxError("[1,]"), "1:4: $: expected a value after ',' (JSON does not allow a trailing comma)")
        XCTAssertEqual(syntaxError("{1: 2}"), "1:2: $: expected a string key, found '1'")
        XCTAssertEqual(syntaxError("{\"n\": {\"m\": tru}}"), "1:13: n.m: expected a value, found 't'")
        XCTAssertEqual(syntaxError("[01]"), "1:3: [0]: a number cannot have a leading zero")
        XCTAssertEqual(syntaxError("[1.]"), "1:4: [0]: expected a digit after '.', found ']'")
        XCTAssertEqual(syntaxError("[-]"), "1:3: [0]: expected a digit after '-', found ']'")
        XCTAssertEqual(syntaxError("[1e+]"), "1:5: [0]: expected a digit after the exponent mark, found ']'")
        XCTAssertEqual(syntaxError("[+1]"), "1:2: [0]: expected a value, found '+'")
        XCTAssertEqual(syntaxError("{} {}"), "1:4: $: expected the end of the document, found '{'")
        XCTAssertEqual(syntaxError("[\"é\", ×]"), "1:7: [1]: expected a value, found '×'")
        XCTAssertEqual(syntaxError("[NaN]"), "1:2: [0]: expected a value, found 'N'")
        XCTAssertEqual(syntaxError("{\"a\": [1,\n"), "2:1: a[1]: expected a value, found the end of the document")
    }

    func testByteOrderMarkIsSkipped() throws {
        let value = try JSONValue.parse("\u{FEFF}[1]")
        XCTAssertEqual(value.location, SourceLocation(line: 1, column: 1))
    }

    func testNestingIsLimited() throws {
        let limit = JSONParser.maximumDepth
        XCTAssertNoThrow(try JSONValue.parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)))
        let deep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        XCTAssertEqual(syntaxError(deep).prefix(6), "1:129:")
        XCTAssertTrue(syntaxError(deep).hasSuffix("arrays and objects are nested more than 128 deep"))
        // Far deeper input must not exhaust the stack.
        let hostile = String(repeating: "{\"a\":", count: 1_000_000)
        XCTAssertTrue(syntaxError(hostile).hasSuffix("arrays and objects are nested more than 128 deep"))
        XCTAssertTrue(syntaxError(String(repeating: "[", count: 100_000)).hasSuffix("nested more than 128 deep"))
    }

    func testHugeNumbersParse() throws {
        let value = try JSONValue.parse("[1e999, -1e999, 99999999999999999999, 1e-999, 1e99999999999999999999999]")
        guard case .array(let elements) = value.kind else { return XCTFail("not an array") }
        let numbers = elements.compactMap { element -> JSONNumber? in
            if case .number(let number) = element.kind { return number }
            return nil
        }
        XCTAssertEqual(numbers.map(\.doubleValue), [.infinity, -.infinity, 1e20, 0, .infinity])
        XCTAssertEqual(numbers.map(\.integerValue), [nil, nil, nil, nil, nil])
    }
}
