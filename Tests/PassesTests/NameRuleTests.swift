import Foundation
import IR
import Passes
import Spec
import XCTest

/// A model's name is the spec's and then the graph's, and names its directory: the spec
/// language and the graph format must hold it to one rule, or a graph could be named what no
/// spec may be (`..`, a path).
final class NameRuleTests: XCTestCase {
    private let spec = try! String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("specs/two_moons_cpvae.json"), encoding: .utf8)

    private func specAccepts(_ name: String) throws -> Bool {
        let literal = String(decoding: try JSONSerialization.data(withJSONObject: [name], options: [.fragmentsAllowed]), as: UTF8.self)
            .dropFirst().dropLast()
        let text = spec.replacingOccurrences(of: "\"name\": \"two_moons_cpvae\"", with: "\"name\": \(literal)")
        XCTAssertTrue(text.contains("\"name\": \(literal)"))
        do { _ = try ModelSpec.parse(text); return true } catch { return false }
    }

    func testSpecsAndGraphsAcceptTheSameNames() throws {
        // Every one- and two-character ASCII name, and names that are paths or look like options.
        let ascii = (32..<127).map { String(UnicodeScalar(UInt8($0))) }
        var names = ascii + ascii.flatMap { a in ["a", ".", "-", "0"].flatMap { [a + $0, $0 + a] } }
        names += ["", "..", "...", "../x", "/tmp/x", "a/b", "a\\b", "-rf", ".hidden", "x.", "x-", "_", "two_moons_cpvae",
                  "é", "a b", "a\tb", "a\u{0}b", String(repeating: "a", count: 300)]
        var accepted = 0
        for name in Set(names) {
            let bySpec = try specAccepts(name), byGraph = Graph.isValidName(name)
            XCTAssertEqual(bySpec, byGraph, "\"\(name)\": the spec \(bySpec ? "accepts" : "refuses") it, the graph format \(byGraph ? "accepts" : "refuses") it")
            if byGraph { accepted += 1 }
        }
        XCTAssertGreaterThan(accepted, 200)
        for name in ["", ".", "..", "../x", "/tmp/x", "-rf", ".hidden"] { XCTAssertFalse(Graph.isValidName(name), name) }
    }

    /// A graph compiled from a spec of any valid name reads back, and one named otherwise is refused where its name is.
    func testTheGraphFormatChecksTheName() throws {
        let (graph, _) = try Compiler().compile(try ModelSpec.parse(spec.replacingOccurrences(of: "\"two_moons_cpvae\"", with: "\"a.b-c_1\"")))
        XCTAssertEqual(try Graph.parse(graph.text).name, "a.b-c_1")
        let escaping = graph.text.replacingOccurrences(of: "\ngraph a.b-c_1\n", with: "\ngraph ../../x\n")
        XCTAssertThrowsError(try Graph.parse(escaping, file: "g.sbig")) { error in
            XCTAssertEqual("\(error)", "g.sbig:2: invalid graph name \"../../x\": " + Graph.nameRule)
        }
    }
}
