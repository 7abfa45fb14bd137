import Foundation
import XCTest

final class ReproduceTests: XCTestCase {
    func testReproductionResumesAndKeepsTheRestOfTheReport() throws {
        let dir = try SBIC.temporaryDirectory()
        let report = dir.appendingPathComponent("results.md").path
        try "# Results\n\nWritten by hand.\n".write(toFile: report, atomically: true, encoding: .utf8)
        let arguments = ["reproduce", "--tasks", "two_moons", "--models", "cpvae", "--budgets", "600", "--seeds", "1",
                         "--observations", "1-2", "--samples", "400", "--max-epochs", "2",
                         "--out", dir.appendingPathComponent("run").path, "--report", report]
        var r = try SBIC.run(arguments)
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("two_moons cpvae 600 seed 1 obs 2: C2ST"), r.output)
        let runs = try String(contentsOfFile: dir.appendingPathComponent("run/runs.jsonl").path, encoding: .utf8)
        XCTAssertEqual(runs.split(separator: "\n").count, 2)
        var text = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# Results\n\nWritten by hand.\n"), text)
        XCTAssertTrue(text.contains("### C2ST (0.5 is best), 600 simulations"), text)
        XCTAssertTrue(text.contains("| two_moons | "), text)

        // Everything is done: a second run computes nothing and rewrites the same section.
        r = try SBIC.run(arguments)
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertFalse(r.output.contains("obs 1: C2ST"), r.output)
        XCTAssertEqual(try String(contentsOfFile: report, encoding: .utf8), text)

        // A third observation reuses the trained model: only its line is added.
        r = try SBIC.run(arguments.map { $0 == "1-2" ? "1-3" : $0 })
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("obs 3: C2ST") && !r.output.contains("obs 1: C2ST"), r.output)
        text = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertEqual(text.components(separatedBy: "<!-- reproduce:begin -->").count, 2, "one section, replaced")
    }
}
