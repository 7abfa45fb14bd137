import Foundation
import Training
import XCTest

/// Faults during training: the process killed at any moment, interrupted, or writing where it
/// cannot. A scientist's trained model must survive each: the model directory always holds a
/// complete model, the previous one or the new one, never a half-written one.
final class FaultTests: XCTestCase {
    /// Saves the best model after every improving epoch, so that kills land among writes.
    private let training = ["train", "specs/two_moons_cpvae.json", "--simulations", "2000", "--checkpoint-interval", "0"]

    /// Starts sbic without waiting. One BLAS thread keeps the timing steady on a busy machine.
    private func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = SBIC.executable
        process.arguments = arguments
        process.currentDirectoryURL = SBIC.repository
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment.merging(["OPENBLAS_NUM_THREADS": "1"]) { $1 }
        try process.run()
        return process
    }

    func testKilledAtAnyMomentTheDirectoryHoldsACompleteModel() throws {
        let model = try SBIC.temporaryDirectory().appendingPathComponent("model").path
        // The model to be replaced, and how long a run takes. Kills then land anywhere in a
        // run: compiling, simulating, training, saving. A slow (debug) build is stopped
        // after its first epochs, and killed within its first seconds, which hold saves.
        let first = try start(training + ["--max-epochs", "50", "--seed", "1", "--out", model])
        let clock = Date()
        while first.isRunning && (Date().timeIntervalSince(clock) < 6 || !FileManager.default.fileExists(atPath: model + "/model.json")) {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let span = Date().timeIntervalSince(clock)
        if first.isRunning { kill(first.processIdentifier, SIGINT) }
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        var previous: UInt64 = 1
        var replaced = 0
        var moments: [String] = []
        for seed in UInt64(2)...21 {
            let process = try start(training + ["--max-epochs", "50", "--seed", "\(seed)", "--out", model, "--overwrite"])
            let moment = Double.random(in: 0...span)
            moments.append(String(format: "%.2f", moment))
            Thread.sleep(forTimeInterval: moment)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let loaded: TrainedModel
            do {
                loaded = try TrainedModel.load(from: model)
            } catch {
                return XCTFail("killed \(moment) s into run \(seed): \(error)")
            }
            XCTAssertTrue([previous, seed].contains(loaded.summary.seed),
                          "run \(seed) left the model of seed \(loaded.summary.seed), neither its own nor the previous one")
            if loaded.summary.seed == seed { replaced += 1 }
            previous = loaded.summary.seed
        }
        XCTAssertGreaterThan(replaced, 0, "no kill came after a save; the moments were \(moments)")

        // A run that completes removes what the killed ones left behind.
        let last = try start(training + ["--max-epochs", "1", "--out", model, "--overwrite"])
        last.waitUntilExit()
        XCTAssertEqual(last.terminationStatus, 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: model).sorted()
        XCTAssertEqual(files.map { $0.split(separator: "-")[0] }, ["graph", "model.json", "model.lock", "spec", "train.jsonl", "weights"])
    }

    /// Waits until the training log in `model` holds an epoch; false if the process ended first
    /// or ten minutes passed.
    private func firstEpochEnded(_ process: Process, model: String) -> Bool {
        let deadline = Date().addingTimeInterval(600)
        while (try? String(contentsOfFile: model + "/train.jsonl", encoding: .utf8))?.contains("\n") != true {
            guard process.isRunning, Date() < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return true
    }

    /// Ctrl-C (or SIGTERM) after the first epoch: training stops, and the best model is saved
    /// and marked as interrupted.
    func testInterruptKeepsTheBestModel() throws {
        for signal in [SIGINT, SIGTERM] {
            let model = try SBIC.temporaryDirectory().appendingPathComponent("model").path
            let process = try start(training + ["--max-epochs", "100000", "--patience", "100000", "--out", model])
            guard firstEpochEnded(process, model: model) else { return XCTFail("no epoch ended") }
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .exit)
            XCTAssertEqual(process.terminationStatus, 0)
            let loaded = try TrainedModel.load(from: model)
            XCTAssertEqual(loaded.summary.stopped, .interrupted)
            XCTAssertGreaterThanOrEqual(loaded.summary.epochs, 1)
        }
    }

    /// Ctrl-C during `sbic reproduce`'s training: the process exits 130, and the next run trains
    /// that model again rather than scoring the interrupted one.
    func testInterruptedReproductionTrainsAgain() throws {
        let dir = try SBIC.temporaryDirectory()
        let arguments = ["reproduce", "--tasks", "two_moons", "--models", "cpvae", "--budgets", "20000", "--seeds", "1",
                         "--observations", "1", "--samples", "200", "--out", dir.appendingPathComponent("run").path,
                         "--report", dir.appendingPathComponent("results.md").path]
        let model = dir.appendingPathComponent("run/models/two_moons_cpvae_20000_s1").path
        // 20,000 simulations make an epoch long enough that early stopping (20 epochs at least)
        // cannot end training between the first epoch and the signal.
        let process = try start(arguments + ["--max-epochs", "100000"])
        guard firstEpochEnded(process, model: model) else { return XCTFail("no epoch ended") }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 130)
        XCTAssertEqual(try TrainedModel.load(from: model).summary.stopped, .interrupted)

        let r = try SBIC.run(arguments + ["--max-epochs", "2"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("two_moons cpvae 20000 seed 1 obs 1: C2ST"), r.output)
        let trained = try TrainedModel.load(from: model).summary
        XCTAssertEqual(trained.stopped, .maxEpochs)
        XCTAssertEqual(trained.epochs, 2)
    }

    /// An output location that cannot take the model is refused before any simulation runs.
    /// (Tests may run as root, whom permissions do not stop: a path under a regular file or
    /// in /proc cannot be written by anyone.)
    func testUnwritableOutputIsRefusedFirst() throws {
        for out in ["/proc/sbic-model", "specs/two_moons_cpvae.json/model"] {
            let result = try SBIC.run(training + ["--out", out])
            XCTAssertFalse(result.crashed)
            XCTAssertNotEqual(result.status, 0)
            XCTAssertTrue(result.error.contains("\(out): ") && result.error.contains("choose another --out"), result.error)
            XCTAssertFalse(result.output.contains("simulations of"), "refused before simulating: \(result.output)")
        }
        if getuid() != 0 {
            let locked = try SBIC.temporaryDirectory()
            try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: locked.path)
            let result = try SBIC.run(training + ["--out", locked.appendingPathComponent("model").path])
            XCTAssertTrue(result.error.contains("Permission denied"), result.error)
        }
        let result = try SBIC.run(training + ["--checkpoint-interval=-1"])
        XCTAssertTrue(result.error.contains("--checkpoint-interval must be"), result.error)
    }

    /// The log is a convenience: when it cannot be written, training goes on and saves.
    func testALogThatCannotBeWrittenDoesNotStopTraining() throws {
        let model = try SBIC.temporaryDirectory().appendingPathComponent("model")
        XCTAssertEqual(try SBIC.run(training + ["--max-epochs", "1", "--out", model.path]).status, 0)
        try FileManager.default.removeItem(at: model.appendingPathComponent("train.jsonl"))
        try FileManager.default.createSymbolicLink(atPath: model.appendingPathComponent("train.jsonl").path,
                                                   withDestinationPath: "/dev/full")
        let result = try SBIC.run(training + ["--max-epochs", "2", "--out", model.path, "--overwrite"])
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertTrue(result.error.contains("train.jsonl: cannot append"), result.error)
        XCTAssertEqual(try TrainedModel.load(from: model.path).summary.epochs, 2)
    }
}
