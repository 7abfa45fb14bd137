import Foundation
import XCTest

/// What the model directory says of its training, and training that goes on from a model:
/// the data's provenance, `--resume`, `--init-from`, and a failed run's directory, through the
/// built `sbic` as a user runs it.
final class ResumeTests: XCTestCase {
    private let spec = SBIC.repository.appendingPathComponent("specs/two_moons_cpvae.json").path
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try SBIC.temporaryDirectory()
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func record(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path(name) + "/model.json"))) as! [String: Any]
    }

    @discardableResult
    private func sbic(_ arguments: [String], fails: Bool = false) throws -> SBIC.Result {
        let r = try SBIC.run(arguments, in: directory)
        XCTAssertFalse(r.crashed)
        XCTAssertEqual(r.status, fails ? 1 : 0, "sbic \(arguments.joined(separator: " ")): \(r.output)\(r.error)")
        return r
    }

    /// Four epochs straight, and two epochs then `--resume` to four, write the same weights and
    /// the same training state: the files are named by their content, so model.json names the
    /// same files. The log of the resumed model holds the four epochs once each.
    func testResumingIsTrainingStraightOn() throws {
        let common = ["train", spec, "--simulations", "2000", "--seed", "3"]
        try sbic(common + ["--max-epochs", "4", "--out", "straight"])
        try sbic(common + ["--max-epochs", "2", "--out", "resumed"])
        let halfway = try record("resumed")
        // The seed and the simulations default to the model's.
        let r = try sbic(["train", spec, "--resume", "resumed", "--max-epochs", "4"])
        XCTAssertTrue(r.output.contains("resuming resumed after epoch 2"), r.output)
        let (straight, resumed) = (try record("straight"), try record("resumed"))
        XCTAssertNotEqual(halfway["state"] as? String, resumed["state"] as? String, "the resumed run trained")
        XCTAssertNotEqual(halfway["weights"] as? String, resumed["weights"] as? String, "and found better weights")
        XCTAssertEqual(resumed["weights"] as? String, straight["weights"] as? String)
        XCTAssertEqual(resumed["state"] as? String, straight["state"] as? String)
        XCTAssertEqual((resumed["summary"] as! [String: Any])["epochs"] as? Int, 4)
        XCTAssertEqual((resumed["summary"] as! [String: Any])["best_validation_loss"] as? Double,
                       (straight["summary"] as! [String: Any])["best_validation_loss"] as? Double)
        let log = try String(contentsOfFile: path("resumed") + "/train.jsonl", encoding: .utf8)
        let epochs = log.split(separator: "\n").map { line in
            (try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["epoch"] as! Int
        }
        XCTAssertEqual(epochs, [1, 2, 3, 4])
        // The old model's files went with its replacement, and only they.
        let files = try FileManager.default.contentsOfDirectory(atPath: path("resumed")).sorted()
        XCTAssertEqual(files, try FileManager.default.contentsOfDirectory(atPath: path("straight")).sorted())
    }

    /// Resuming refuses a model of another graph and other data, naming the file and the field;
    /// starting from weights refuses a graph whose weights differ, naming the first.
    func testResumeAndInitFromRefuseWhatDoesNotFit() throws {
        try sbic(["train", spec, "--simulations", "1000", "--max-epochs", "1", "--out", "m"])
        let before = try Data(contentsOf: URL(fileURLWithPath: path("m") + "/model.json"))
        let upvae = SBIC.repository.appendingPathComponent("specs/two_moons_upvae.json").path
        var r = try sbic(["train", upvae, "--resume", "m"], fails: true)
        XCTAssertTrue(r.error.contains("m/graph-"), r.error)
        XCTAssertTrue(r.error.contains("the model's graph differs from \(upvae)"), r.error)
        r = try sbic(["train", spec, "--resume", "m", "--simulations", "1500"], fails: true)
        XCTAssertTrue(r.error.contains("m/model.json: field 'data.simulations': the model was trained on 1000 simulations, "
                                       + "this run has 1500"), r.error)
        try sbic(["simulate", "--task", "two_moons", "-n", "1000", "--out", "data"])
        r = try sbic(["train", spec, "--resume", "m", "--theta", "data/theta.npy", "--y", "data/y.npy"], fails: true)
        XCTAssertTrue(r.error.contains("m/model.json: field 'data.source': the model was trained on 1000 simulations of two_moons (seed 1)"),
                      r.error)
        r = try sbic(["train", upvae, "--init-from", "m", "--max-epochs", "1", "--out", "u"], fails: true)
        XCTAssertTrue(r.error.contains("--init-from m: the weight encoder.layer0.weight has shape [4, 128] there and [4, 256] in \(upvae)"),
                      r.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("u")), "the refused run left no directory")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("m") + "/model.json")), before, "the model is as it was")
    }

    /// Fine-tuning on the model's own data and seed starts where the model ended: the weights'
    /// validation loss before training is the model's best, and model.json says where they came from.
    func testInitFromStartsWhereTheModelEnded() throws {
        try sbic(["train", spec, "--simulations", "2000", "--max-epochs", "3", "--out", "source"])
        let best = (try record("source")["summary"] as! [String: Any])["best_validation_loss"] as! Double
        let r = try sbic(["train", spec, "--simulations", "2000", "--max-epochs", "1", "--init-from", "source", "--out", "tuned"])
        XCTAssertTrue(r.output.contains("validation loss of source before training: \(String(format: "%.4f", best))"), r.output)
        let tuned = try record("tuned")
        XCTAssertEqual(tuned["theta_scaler"] as? NSDictionary, try record("source")["theta_scaler"] as? NSDictionary)
        let weights = try record("source")["weights"] as! String
        XCTAssertEqual(tuned["initialized_from"] as? String, URL(fileURLWithPath: path("source")).standardizedFileURL.path + "/" + weights)
        XCTAssertLessThanOrEqual((tuned["summary"] as! [String: Any])["best_validation_loss"] as! Double, best)
    }

    /// model.json records the files as named, their absolute paths and their SHA-256 as
    /// sha256sum computes it; `sbic info` shows them.
    func testProvenanceOfFiles() throws {
        try sbic(["simulate", "--task", "two_moons", "-n", "600", "--seed", "2", "--out", "data"])
        try sbic(["train", spec, "--theta", "data/theta.npy", "--y", "data/y.npy", "--max-epochs", "1", "--out", "m"])
        let data = try record("m")["data"] as! [String: Any]
        XCTAssertEqual(data["source"] as? String, "files")
        XCTAssertEqual(data["simulations"] as? Int, 600)
        XCTAssertEqual(data["dropped"] as? Int, 0)
        for name in ["theta", "y"] {
            let entry = data[name] as! [String: Any]
            let file = path("data/\(name).npy")
            XCTAssertEqual(entry["name"] as? String, "data/\(name).npy")
            XCTAssertEqual(entry["path"] as? String, URL(fileURLWithPath: file).standardizedFileURL.path)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            process.arguments = [file]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(entry["sha256"] as? String, String(output.prefix(64)))
        }
        let info = try sbic(["info", "m"])
        XCTAssertTrue(info.output.contains("data: data/theta.npy (sha256 \(((data["theta"] as! [String: Any])["sha256"] as! String).prefix(12))…)"),
                      info.output)
        XCTAssertTrue(info.output.contains("resumable: yes, from the end of epoch 1"), info.output)
        try sbic(["train", spec, "--simulations", "700", "--seed", "5", "--max-epochs", "1", "--out", "s"])
        let simulated = try record("s")["data"] as! [String: Any]
        XCTAssertEqual(simulated as NSDictionary, ["source": "simulator", "task": "two_moons", "seed": 5, "simulations": 700, "dropped": 0])
    }

    /// A run that fails after creating its output directory removes it, and the folders it
    /// created above it; a directory that was there before stays, without the lock file the
    /// run put there.
    func testAFailedRunLeavesNoDirectoryItCreated() throws {
        try "1,2\n".write(toFile: path("one.csv"), atomically: true, encoding: .utf8)
        let bad = ["train", spec, "--theta", "one.csv", "--y", "one.csv", "--max-epochs", "1"]
        var r = try sbic(bad + ["--out", "new/deeper/m"], fails: true)
        XCTAssertTrue(r.error.contains("fewer than one batch"), r.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("new")))
        try FileManager.default.createDirectory(atPath: path("kept"), withIntermediateDirectories: false)
        r = try sbic(bad + ["--out", "kept/m"], fails: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("kept/m")))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("kept")), [], "the user's folder stays")
        try sbic(bad + ["--out", "kept"], fails: true)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("kept")), [], "the user's empty folder stays, empty")
    }
}
