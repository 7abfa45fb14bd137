import Foundation
import XCTest

/// Sizes that no machine could hold, and work that would only grow without bound, are refused
/// up front with their number, before anything is allocated or started.
final class ResourceLimitTests: XCTestCase {
    private let graph = SBIC.repository.appendingPathComponent("generated/two_moons_cpvae.sbig").path
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try SBIC.temporaryDirectory()
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs sbic with its address space limited to `kilobytes` (`ulimit -v`), so that a check
    /// that is missing ends in a failed allocation, not in a machine out of memory.
    private func run(limitedTo kilobytes: Int, _ arguments: [String]) throws -> SBIC.Result {
        let quoted = ([SBIC.executable.path] + arguments).map { "'" + $0 + "'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v \(kilobytes) && exec \(quoted)"]
        process.currentDirectoryURL = SBIC.repository
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(), error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return SBIC.Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                           error: String(decoding: error, as: UTF8.self), crashed: process.terminationStatus > 128)
    }

    /// A float64 .npy file of the given shape whose data are a hole: as large as it says, on no disk.
    private func sparseNPY(_ name: String, rows: Int, columns: Int) throws -> String {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8))
        FileManager.default.createFile(atPath: path(name), contents: data)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path(name)))
        try handle.truncate(atOffset: UInt64(data.count + rows * columns * 8))
        try handle.close()
        return path(name)
    }

    /// A parameter no machine holds: refused with its size, as `train` refuses it, instead of
    /// an overflow trap (2^62 rows) or a failed allocation (48 GB).
    func testBenchRefusesParametersBeyondMemory() throws {
        let text = try String(contentsOfFile: graph, encoding: .utf8)
        for (rows, needs) in [("4611686018427387904", "8.0 EiB"), ("3000000000", "89.4 GiB")] {
            let first = text.range(of: "\nparam ")!
            let huge = text.replacingCharacters(in: first, with: "\nparam bogus.huge f32[\(rows),4] zeros\nparam ")
            try Data(huge.utf8).write(to: URL(fileURLWithPath: path("huge.sbig")))
            let r = try run(limitedTo: 4_000_000, ["bench", path("huge.sbig"), "--iterations", "1"])
            XCTAssertFalse(r.crashed, r.error)
            XCTAssertEqual(r.status, 1)
            XCTAssertTrue(r.error.contains("huge.sbig: benchmarking two_moons_cpvae needs \(needs), more than"), r.error)
        }
    }

    /// A data file is not read when what its header claims cannot be held: a (10^8, 2) array
    /// under a 3.8 GiB limit, a (10^10, 2) array on any machine.
    func testDataFilesClaimingTooMuchAreNotRead() throws {
        let big = try sparseNPY("theta.npy", rows: 100_000_000, columns: 2)
        let y = try sparseNPY("y.npy", rows: 100_000_000, columns: 2)
        let r = try run(limitedTo: 4_000_000, ["train", graph, "--theta", big, "--y", y, "--out", path("model")])
        XCTAssertFalse(r.crashed, r.error)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.error.contains("\(big), \(y): reading them needs 8.9 GiB, more than the 3.8 GiB this process may use"), r.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("model/model.json")))

        let huge = try sparseNPY("huge.npy", rows: 10_000_000_000, columns: 2)
        for arguments in [["plot", huge, "-o", path("x.svg")], ["eval", huge, "--reference", big]] {
            let r = try run(limitedTo: 4_000_000, arguments)
            XCTAssertFalse(r.crashed, r.error)
            XCTAssertEqual(r.status, 1)
            XCTAssertTrue(r.error.contains("\(huge): reading it needs 447.0 GiB, more than"), r.error)
        }
        // A CSV file claims up to one value per two bytes.
        let csv = path("wide.csv")
        FileManager.default.createFile(atPath: csv, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: csv))
        try handle.truncate(atOffset: 1 << 30)
        try handle.close()
        let r2 = try run(limitedTo: 4_000_000, ["plot", csv, "-o", path("x.svg")])
        XCTAssertEqual(r2.status, 1)
        XCTAssertTrue(r2.error.contains("\(csv): reading it needs 6.0 GiB, more than the 3.8 GiB"), r2.error)
    }

    /// More threads than cores only queue up: `--threads 99999999999` used to run for minutes.
    func testSimulateUsesNoMoreThreadsThanCores() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let r = try SBIC.run(["simulate", "--task", "two_moons", "-n", "10", "--threads", "99999999999", "--out", path("sim")])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("note: --threads 99999999999 is more than the \(cores) cores; using \(cores)"), r.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("sim/theta.npy")))
    }

    /// A corner plot of 400 columns would have 160,000 panels: refused, with the way to choose some.
    func testPlotRefusesMorePanelsThanCanBeRead() throws {
        let columns = 400
        let lines = [(0..<columns).map { "c\($0)" }.joined(separator: ",")]
            + (0..<20).map { r in (0..<columns).map { "\(Double((r * 7 + $0 * 13) % 31) / 31)" }.joined(separator: ",") }
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path("wide.csv")))
        let refused = try SBIC.run(["plot", path("wide.csv"), "-o", path("wide.svg")])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.error.contains("wide.csv: 400 columns would make 400 × 400 panels; a corner plot draws at most 30 "
                                             + "parameters: choose them with --columns"), refused.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("wide.svg")))

        let chosen = try SBIC.run(["plot", path("wide.csv"), "-o", path("wide.svg"), "--columns", "1-2,400"])
        XCTAssertEqual(chosen.status, 0, chosen.error)
        let svg = try String(contentsOfFile: path("wide.svg"), encoding: .utf8)
        for name in ["c0", "c1", "c399"] { XCTAssertTrue(svg.contains(">\(name)<"), name) }
        for name in ["c2", "c398"] { XCTAssertFalse(svg.contains(">\(name)<"), name) }
        let beyond = try SBIC.run(["plot", path("wide.csv"), "-o", path("x.svg"), "--columns", "401"])
        XCTAssertEqual(beyond.status, 1)
        XCTAssertTrue(beyond.error.contains("--columns 401: the file has 400 columns"), beyond.error)
    }
}
