import Foundation
import Training
import XCTest

/// Faults that used to surface as Foundation's raw errors, or as a wrong reason, each end in a
/// message that names the file and says what is wrong.
final class FaultMessageTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try SBIC.temporaryDirectory()
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func refused(_ arguments: [String], _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try SBIC.run(arguments)
        XCTAssertFalse(r.crashed, r.error, file: file, line: line)
        XCTAssertEqual(r.status, 1, r.output, file: file, line: line)
        XCTAssertTrue(r.error.contains(expected), "\"\(expected)\" not in: \(r.error)", file: file, line: line)
        XCTAssertFalse(r.error.contains("NSCocoaErrorDomain") || r.error.contains("could not be completed"), r.error, file: file, line: line)
    }

    /// An output that cannot be written names the output, with the system's reason.
    func testUnwritableOutputsNameTheOutput() throws {
        let file = path("r.sh")
        FileManager.default.createFile(atPath: file, contents: Data("#!/bin/sh\n".utf8))
        try refused(["compile", "specs/two_moons_cpvae.json", "-o", file + "/x"],
                    "specs/two_moons_cpvae.json: \(file)/x/two_moons_cpvae.sbig: cannot write: \(file): is a file, not a directory")
        try refused(["compile", "specs/two_moons_cpvae.json", "-o", "/proc/foo"],
                    "/proc/foo/two_moons_cpvae.sbig: cannot write: /proc/foo: cannot create: No such file or directory")
        try refused(["simulate", "--task", "two_moons", "-n", "10", "--out", file],
                    "simulate: \(file): is a file, not a directory")
        try refused(["simulate", "--task", "two_moons", "-n", "10", "--out", "/proc/foo"],
                    "simulate: /proc/foo: cannot create: No such file or directory")
    }

    /// A write cut short, as on a full disk: here by a file-size limit (`ulimit -f`, which needs no
    /// privileges, with SIGXFSZ ignored so that the write fails instead of killing the process).
    /// The graph is larger than the limit; the message names the output and the system's reason,
    /// no partial or temporary file is left, and the graph already there is not touched.
    func testACompiledGraphCutShortLeavesNothing() throws {
        let output = path("out")
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let existing = Data("the graph of an earlier compile\n".utf8)
        FileManager.default.createFile(atPath: output + "/two_moons_cpvae.sbig", contents: existing)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // 16 blocks (8 or 16 KiB, as the shell counts them) of a graph of about 30 KB.
        process.arguments = ["-c", "ulimit -f 16 && trap '' XFSZ && exec \"$0\" compile specs/two_moons_cpvae.json -o \"$1\"",
                             SBIC.executable.path, output]
        process.currentDirectoryURL = SBIC.repository
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let error = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, error)
        XCTAssertEqual(process.terminationStatus, 1, error)
        XCTAssertTrue(error.contains("specs/two_moons_cpvae.json: \(output)/two_moons_cpvae.sbig: cannot write: File too large"), error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output), ["two_moons_cpvae.sbig"])
        XCTAssertEqual(FileManager.default.contents(atPath: output + "/two_moons_cpvae.sbig"), existing)
    }

    /// Finite samples whose squared distances overflow: the MMD says so instead of failing to write NaN as JSON.
    func testEvalOfSamplesNearTheLargestDoubles() throws {
        let rows = (0..<60).map { i in "\(Double(i % 7 + 1) * 1e300),\(Double(i % 5 + 1) * -1e300)" }
        try Data((["a,b"] + rows).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path("x.csv")))
        try refused(["eval", path("x.csv"), "--reference", path("x.csv")],
                    "\(path("x.csv")): the MMD is not a finite number: the squared distances between samples overflow a 64-bit float")
        let r = try SBIC.run(["eval", path("x.csv"), "--reference", path("x.csv"), "--no-mmd"])
        XCTAssertEqual(r.status, 0, r.error)
    }

    /// θ of magnitude 1e160: its variance overflowed, the scaler fell back to scale 1, and training
    /// failed with "try a smaller learning rate". The scaler now computes it without overflow.
    func testTrainingOnHugeParameters() throws {
        let theta = (0..<400).map { i in "\(Double(i % 20 - 10) * 1e159)" }
        let y = (0..<400).map { i in "\(Double(i % 20 - 10) / 10 + Double(i % 3) * 0.01)" }
        try Data((["theta_1"] + theta).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path("theta.csv")))
        try Data((["y_1"] + y).joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path("y.csv")))
        let r = try SBIC.run(["train", "Tests/Fuzz/Seeds/micro.json", "--theta", path("theta.csv"), "--y", path("y.csv"),
                              "--max-epochs", "2", "--out", path("model")])
        XCTAssertEqual(r.status, 0, r.error)
        let model = try TrainedModel.load(from: path("model"))
        XCTAssertEqual(model.summary.stopped, .maxEpochs)
        // Fitted on the training split, a random nine tenths of values spread evenly over
        // {-10, …, 9} × 1e159 (mean −0.5e159, deviation 5.77e159 over all 400).
        XCTAssertEqual(model.thetaScaler.shift[0], -0.5e159, accuracy: 0.5e159)
        XCTAssertEqual(model.thetaScaler.scale[0], 5.77e159, accuracy: 0.5e159)
    }

    /// A CSV saved as UTF-16 is named as such, instead of a field quoted with NUL bytes in it.
    func testUTF16CSV() throws {
        var data = Data([0xFF, 0xFE])
        for unit in "theta_1\n0.5\n".utf16 { withUnsafeBytes(of: unit.littleEndian) { data.append(contentsOf: $0) } }
        try data.write(to: URL(fileURLWithPath: path("u.csv")))
        try refused(["plot", path("u.csv"), "-o", path("u.svg")], "\(path("u.csv")): is UTF-16 text; sbic reads CSV files as UTF-8")
        try data.dropFirst(2).write(to: URL(fileURLWithPath: path("v.csv")))
        try refused(["plot", path("v.csv"), "-o", path("u.svg")], "\(path("v.csv")): row 1: a NUL byte: this is not a text file")
    }
}
