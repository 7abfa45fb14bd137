import Datasets
import Evaluation
import Foundation
import XCTest

/// runs.jsonl and the report keep what they hold through crashes and odd files.
final class ResultsTests: XCTestCase {
    private func record(_ observation: Int) -> RunRecord {
        RunRecord(key: RunKey(task: "two_moons", model: "cpvae", budget: 100, seed: 1), observation: observation,
                  c2st: 0.6, mmd2: 0.01, trainMinutes: 0.1, epochs: 30, bestEpoch: 10, backend: "jit")
    }

    private func temporaryPath(_ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sbic-results-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    func testARecordAfterATornLineIsKept() throws {
        let log = try temporaryPath("runs.jsonl")
        try record(1).append(to: log)
        // A crash in the middle of the second line.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"backend":"jit","best_ep"#.utf8))
        try handle.close()
        try record(3).append(to: log)
        XCTAssertEqual(RunRecord.load(log), [record(1), record(3)])
    }

    func testAReportThatIsNotTextIsNotOverwritten() throws {
        let path = try temporaryPath("results.md")
        let bytes = Data([0x23, 0x20, 0xff, 0xfe, 0x0a])
        try bytes.write(to: URL(fileURLWithPath: path))
        let report = ResultsReport(runs: [record(1)], command: "sbic reproduce")
        XCTAssertThrowsError(try report.write(into: path)) { error in
            XCTAssertTrue("\(error)".contains("is not UTF-8 text"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), bytes)

        // A hand-written report keeps its text around the tables.
        try "# Results\n\nBy hand.\n".write(toFile: path, atomically: true, encoding: .utf8)
        try report.write(into: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# Results\n\nBy hand.\n\n" + ResultsReport.begin), text)
    }
}
