import Foundation
import Training
import XCTest

/// The model directory belongs to the user: `sbic train` writes only into a new, empty or sbic
/// model directory, removes only files that it wrote and its records name, never a folder, and
/// lets one run at a time write there. Model names cannot lead out of `models/`.
final class ModelDirectoryTests: XCTestCase {
    private let spec = SBIC.repository.appendingPathComponent("specs/two_moons_cpvae.json").path
    private let graph = SBIC.repository.appendingPathComponent("generated/two_moons_cpvae.sbig").path
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try SBIC.temporaryDirectory()
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func train(_ source: String, out: String?, _ more: [String] = []) -> [String] {
        ["train", source, "--simulations", "2000", "--max-epochs", "1"] + (out.map { ["--out", path($0)] } ?? []) + more
    }

    /// Every file and folder under `root` with the content of each file: what the user had.
    private func snapshot(_ root: String) throws -> [String: Data?] {
        var entries: [String: Data?] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)!
        while let name = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory)
            entries[name] = isDirectory.boolValue ? nil : FileManager.default.contents(atPath: root + "/" + name)
        }
        return entries
    }

    private func makeUserFiles(in root: String) throws -> [String: Data?] {
        try FileManager.default.createDirectory(atPath: root + "/spec-archive/v1", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/graph-plots", withIntermediateDirectories: true)
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: root + "/spec-archive/v1/notes.txt"))
        try Data("y\n".utf8).write(to: URL(fileURLWithPath: root + "/weights-final.safetensors"))
        // Named as sbic names its files, but not by sbic: its content does not give its name.
        try Data("z\n".utf8).write(to: URL(fileURLWithPath: root + "/graph-deadbeef.sbig"))
        return try snapshot(root)
    }

    /// The reported loss of data: a folder with the user's files and folders named `spec-…`,
    /// `graph-…`, `weights-…` is refused, with or without `--overwrite`, and left as it was.
    func testAFolderOfTheUsersIsRefusedAndKept() throws {
        let out = path("d")
        let before = try makeUserFiles(in: out)
        for overwrite in [[], ["--overwrite"]] {
            let r = try SBIC.run(train(graph, out: "d", overwrite))
            XCTAssertFalse(r.crashed)
            XCTAssertEqual(r.status, 1, r.output)
            XCTAssertTrue(r.error.contains("\(out): is not empty (it holds \"graph-deadbeef.sbig\", \"graph-plots\", \"spec-archive\", …) "
                                           + "and holds no sbic model"), r.error)
            XCTAssertEqual(try snapshot(out), before, "nothing of the user's changed")
        }
        // A model.json that is not sbic's does not make the folder a model's.
        try Data("{\"format\": 1}".utf8).write(to: URL(fileURLWithPath: out + "/model.json"))
        let r = try SBIC.run(train(graph, out: "d", ["--overwrite"]))
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.error.contains("holds a model.json that is not an sbic model record"), r.error)
    }

    /// Replacing a model removes the old model's files, and nothing else: not the user's files
    /// or folders beside it, not a file merely named like sbic's.
    func testOverwriteRemovesOnlyTheOldModelsFiles() throws {
        let out = path("m")
        XCTAssertEqual(try SBIC.run(train(graph, out: "m", ["--seed", "1"])).status, 0)
        let old = try FileManager.default.contentsOfDirectory(atPath: out)
        XCTAssertEqual(Set(old.map { $0.split(separator: "-").first! }), ["graph", "weights", "state", "model.json", "model.lock", "train.jsonl"])
        let user = try makeUserFiles(in: out).filter { !old.contains($0.key) }
        try FileManager.default.createSymbolicLink(atPath: out + "/weights-1.safetensors", withDestinationPath: out + "/weights-final.safetensors")

        let r = try SBIC.run(train(graph, out: "m", ["--seed", "2", "--overwrite"]))
        XCTAssertEqual(r.status, 0, r.error)
        let after = try snapshot(out)
        for (name, content) in user { XCTAssertEqual(after[name], content, name) }
        XCTAssertTrue(after.keys.contains("weights-1.safetensors"), "a link is not sbic's")
        let weights = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix("weights-") }.sorted()
        let loaded = try TrainedModel.load(from: out)
        XCTAssertEqual(loaded.summary.seed, 2)
        // The old weights went; the new, the user's and the link stay.
        XCTAssertFalse(weights.contains(old.first { $0.hasPrefix("weights-") }!), "\(weights)")
        XCTAssertEqual(weights.count, 3, "\(weights)")
        let oldState = old.first { $0.hasPrefix("state-") }!
        XCTAssertFalse(after.keys.contains(oldState), "the old training state went with its model")
        XCTAssertEqual(after.keys.filter { $0.hasPrefix("state-") }.count, 1)
    }

    /// A spec or a graph whose name would lead out of models/ is refused before anything is written.
    func testModelNamesCannotEscape() throws {
        let text = try String(contentsOfFile: spec, encoding: .utf8)
        let graphText = try String(contentsOfFile: graph, encoding: .utf8)
        for name in ["..", ".", "../escaped", "/tmp/escaped", "a/b", "-rf", ".hidden"] {
            let work = directory.appendingPathComponent("w-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work.appendingPathComponent("models"), withIntermediateDirectories: true)
            try Data("mine".utf8).write(to: work.appendingPathComponent("spec-mine.json"))
            let named = text.replacingOccurrences(of: "\"name\": \"two_moons_cpvae\"", with: "\"name\": \"\(name)\"")
            XCTAssertNotEqual(named, text)
            try Data(named.utf8).write(to: work.appendingPathComponent("s.json"))
            let fromSpec = try SBIC.run(["train", "s.json", "--simulations", "2000", "--max-epochs", "1"], in: work)
            XCTAssertEqual(fromSpec.status, 1, name)
            XCTAssertTrue(fromSpec.error.contains("invalid name \"\(name)\": a model name starts with a letter"), fromSpec.error)

            let renamed = graphText.replacingOccurrences(of: "\ngraph two_moons_cpvae\n", with: "\ngraph \(name)\n")
            XCTAssertNotEqual(renamed, graphText)
            try Data(renamed.utf8).write(to: work.appendingPathComponent("g.sbig"))
            let fromGraph = try SBIC.run(["train", "g.sbig", "--simulations", "2000", "--max-epochs", "1"], in: work)
            XCTAssertEqual(fromGraph.status, 1, name)
            XCTAssertTrue(fromGraph.error.contains("g.sbig:2: invalid graph name \"\(name)\""), fromGraph.error)

            XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: work.path)), ["models", "spec-mine.json", "s.json", "g.sbig"])
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("models").path), [])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/escaped"))
    }

    /// Two runs into one directory: the second is refused while the first runs, with the
    /// first's pid, and the first's model is whole.
    func testOneRunAtATime() throws {
        let out = path("busy")
        let first = Process()
        first.executableURL = SBIC.executable
        first.arguments = ["train", spec, "--simulations", "2000", "--max-epochs", "100000", "--patience", "100000",
                           "--checkpoint-interval", "0", "--out", out]
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        // Wait for the first epoch: the first run then holds the directory, and has saved into it.
        let deadline = Date().addingTimeInterval(600)
        while (try? String(contentsOfFile: out + "/train.jsonl", encoding: .utf8))?.contains("\n") != true {
            guard first.isRunning, Date() < deadline else { return XCTFail("the first run ended or stalled") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        for more in [["--overwrite"], ["--overwrite", "--seed", "7"]] {
            let second = try SBIC.run(["train", spec, "--simulations", "2000", "--max-epochs", "1", "--out", out] + more)
            XCTAssertEqual(second.status, 1, second.output)
            XCTAssertTrue(second.error.contains("\(out): is in use by another sbic run (pid \(first.processIdentifier)); "
                                                + "wait for it to end, or choose another --out"), second.error)
        }
        kill(first.processIdentifier, SIGINT)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertEqual(try TrainedModel.load(from: out).summary.seed, 1)
        // Once the first has ended, the directory is free again.
        let third = try SBIC.run(["train", spec, "--simulations", "2000", "--max-epochs", "1", "--out", out, "--overwrite", "--seed", "3"])
        XCTAssertEqual(third.status, 0, third.error)
        XCTAssertEqual(try TrainedModel.load(from: out).summary.seed, 3)
    }

    /// A one-letter relative --out (and its nested form) is created where it is run, not a crash:
    /// Foundation's deletingLastPathComponent trapped on such a path.
    func testOneLetterRelativeOutputs() throws {
        for out in ["m", "n/", "a/b"] {
            let result = try SBIC.run(["train", graph, "--simulations", "2000", "--max-epochs", "1", "--out", out],
                                      in: directory)
            XCTAssertFalse(result.crashed, out)
            XCTAssertEqual(result.status, 0, "\(out): \(result.error)")
            XCTAssertEqual(try TrainedModel.load(from: path(out)).summary.epochs, 1, out)
        }
    }
}
