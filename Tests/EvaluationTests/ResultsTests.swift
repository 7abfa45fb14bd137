import Datasets
import Evaluation
import Foundation
import XCTest

/// Result files, the earlier log and the report keep what they hold through crashes and odd files.
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

    /// The log earlier versions appended to: a line cut short by a crash is skipped, the
    /// records around it kept; records from before provenance was recorded decode without it.
    func testTheEarlierLogKeepsItsCompleteLines() throws {
        let log = try temporaryPath("runs.jsonl")
        let first = #"{"backend":"jit","best_epoch":10,"c2st":0.6,"epochs":30,"key":{"budget":100,"model":"cpvae","seed":1,"task":"two_moons"},"mmd2":0.01,"observation":1,"train_minutes":0.1}"#
        let third = first.replacingOccurrences(of: #""observation":1"#, with: #""observation":3"#)
        try (first + "\n" + #"{"backend":"jit","best_ep"# + "\n" + third + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        XCTAssertEqual(RunRecord.load(log), [record(1), record(3)])
        XCTAssertNil(record(1).provenance)
    }

    /// A run's result file is whole or it is not there: a torn file, or one holding another
    /// run's records, reads as absent, so that the run is done again.
    func testAResultFileIsReadOnlyWhole() throws {
        let path = try temporaryPath(RunResults.fileName(record(1).key))
        XCTAssertTrue(path.hasSuffix("/two_moons_cpvae_100_s1.jsonl"), path)
        XCTAssertNil(RunResults.read(path, key: record(1).key))
        var traced = record(2)
        traced.provenance = Provenance(commit: "0123abcd", executable: String(repeating: "e", count: 64), host: "node7",
                                       cpu: "Some CPU", spec: String(repeating: "5", count: 64), samples: 400, maxEpochs: nil)
        try RunResults.write([traced, record(1)], to: path)
        XCTAssertEqual(RunResults.read(path, key: record(1).key), [record(1), traced], "in the order of the observations")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains(#""provenance":{"commit":"0123abcd","cpu":"Some CPU","executable_sha256":"eeee"#), text)

        let other = RunKey(task: "two_moons", model: "cpvae", budget: 100, seed: 2)
        XCTAssertNil(RunResults.read(path, key: other), "another run's records")
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [whole.count - 2, whole.count / 2, 10] {
            try whole.prefix(cut).write(to: URL(fileURLWithPath: path))
            XCTAssertNil(RunResults.read(path, key: record(1).key), "cut at \(cut) of \(whole.count) bytes")
        }
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
