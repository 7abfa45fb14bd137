import Foundation
import XCTest

/// What the commands say about themselves and about inputs of the wrong kind.
final class CommandKindTests: XCTestCase {
    func testVersion() throws {
        let r = try SBIC.run(["--version"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.hasPrefix("sbic ") && r.output.split(separator: ".").count == 3, r.output)
    }

    func testCompileSaysAGraphIsAlreadyCompiled() throws {
        let r = try SBIC.run(["compile", "generated/two_moons_cpvae.sbig", "-o", try SBIC.temporaryDirectory().path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("generated/two_moons_cpvae.sbig: is already a compiled graph; sbic compile takes a spec (.json). "
                                       + "Train the graph with: sbic train generated/two_moons_cpvae.sbig"), r.error)
    }

    func testCompileChecksABuiltInTask() throws {
        let dir = try SBIC.temporaryDirectory()
        let spec = try String(contentsOf: SBIC.repository.appendingPathComponent("specs/two_moons_cpvae.json"), encoding: .utf8)
        let wrong = dir.appendingPathComponent("wrong.json").path
        try spec.replacingOccurrences(of: #""theta": 2"#, with: #""theta": 3"#).write(toFile: wrong, atomically: true, encoding: .utf8)
        var r = try SBIC.run(["compile", wrong, "-o", dir.path])
        XCTAssertTrue(r.error.contains(#"variables.theta: two_moons has 2 parameters, but "theta" has size 3"#), r.error)
        r = try SBIC.run(["train", wrong, "--out", dir.appendingPathComponent("m").path])
        XCTAssertTrue(r.error.contains(#"variables.theta: two_moons has 2 parameters, but "theta" has size 3"#), r.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("m").path))
    }

    func testSimulateSaysWhatItWrote() throws {
        let dir = try SBIC.temporaryDirectory().path
        var r = try SBIC.run(["simulate", "--task", "two_moons", "-n", "20", "--out", dir, "--csv"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.hasSuffix("wrote \(dir)/theta.npy, \(dir)/y.npy, \(dir)/theta.csv, \(dir)/y.csv\n"), r.output)
        r = try SBIC.run(["simulate", "--task", "two_moons", "-n", "20", "--out", dir])
        XCTAssertTrue(r.output.hasSuffix("wrote \(dir)/theta.npy, \(dir)/y.npy\n"), r.output)
    }

    /// The progress line counts down the patience: it restarts at each better epoch.
    func testTrainingProgressCountsDownThePatience() throws {
        let dir = try SBIC.temporaryDirectory()
        let r = try SBIC.run(["train", "specs/two_moons_cpvae.json", "--simulations", "500", "--max-epochs", "6", "--patience", "4",
                              "--out", dir.appendingPathComponent("m").path])
        XCTAssertEqual(r.status, 0, r.error)
        let lines = r.output.split(separator: "\n").filter { $0.hasPrefix("epoch ") }
        XCTAssertFalse(lines.isEmpty, r.output)
        for line in lines {
            let m = try XCTUnwrap(line.firstMatch(of: #/^epoch (\d+)/6 .* @ (\d+)  stops in (\d+) without improvement  .*, at most \d+ s more/#),
                                  String(line))
            let (epoch, best, left) = (Int(m.1)!, Int(m.2)!, Int(m.3)!)
            XCTAssertEqual(left, min(4 - (epoch - best), 6 - epoch), String(line))
        }
    }

    /// The graph kept with a model records the settings the run used, overrides included.
    func testTheModelRecordsTheSettingsUsed() throws {
        let dir = try SBIC.temporaryDirectory()
        let model = dir.appendingPathComponent("m").path
        let r = try SBIC.run(["train", "specs/two_moons_cpvae.json", "--simulations", "400", "--learning-rate", "0.01", "--patience", "7",
                              "--max-epochs", "2", "--out", model])
        XCTAssertEqual(r.status, 0, r.error)
        let graph = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: model).first { $0.hasPrefix("graph-") })
        let lines = try String(contentsOfFile: model + "/" + graph, encoding: .utf8).split(separator: "\n")
        for expected in ["meta training.learning_rate 0.01", "meta training.patience 7", "meta training.max_epochs 2",
                         "meta training.batch_size 32"] {
            XCTAssertTrue(lines.contains(Substring(expected)), expected)
        }
    }
}
