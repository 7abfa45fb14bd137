import Foundation
import XCTest

/// Every kind of bad input, end to end: sbic exits with an error that names the file and the
/// row or field, and never crashes, hangs or trains on numbers it silently got wrong.
final class BadInputTests: XCTestCase {
    private let graph = "generated/two_moons_cpvae.sbig"
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try SBIC.temporaryDirectory()
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @discardableResult
    private func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    @discardableResult
    private func write(_ name: String, _ data: Data) throws -> String {
        try data.write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    /// `.npy` bytes as numpy writes them (format 1.0) of float64 `values`, in the byte order
    /// that `descr` names.
    private func npy(_ values: [Double], shape: String, descr: String = "<f8") -> Data {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(Data(header.utf8))
        for value in values {
            let bits = descr.hasPrefix(">") ? value.bitPattern.bigEndian : value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Refused runs write here, and `refuses` checks that no model appeared.
    private func train(theta: String, y: String, out: String = "model") -> [String] {
        ["train", graph, "--theta", theta, "--y", y, "--out", path(out), "--max-epochs", "1"]
    }

    /// Runs sbic and expects a refusal: a non-zero exit, not a signal, and every one of
    /// `expected` in the error.
    private func refuses(_ arguments: [String], _ expected: String..., file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try SBIC.run(arguments)
        XCTAssertFalse(result.crashed, "crashed: \(result.error)", file: file, line: line)
        XCTAssertNotEqual(result.status, 0, result.output, file: file, line: line)
        for text in expected {
            XCTAssertTrue(result.error.contains(text), "\"\(text)\" not in: \(result.error)", file: file, line: line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("model/model.json")), "no model is written", file: file, line: line)
    }

    /// Simulated two-moons data as CSV lines, "theta_1,theta_2" and "data_1,data_2" headers first.
    private func simulated(_ count: Int) throws -> (theta: [String], y: [String]) {
        let data = directory.appendingPathComponent("simulated").path
        let result = try SBIC.run(["simulate", "--task", "two_moons", "-n", "\(count)", "--out", data, "--csv"])
        XCTAssertEqual(result.status, 0, result.error)
        func lines(_ name: String) throws -> [String] {
            try String(contentsOfFile: data + "/" + name, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        return (try lines("theta.csv"), try lines("y.csv"))
    }

    /// Graphs edited so that a program the model needs is missing, hands back its input, or
    /// reads noise another program lacks: train refuses each before it writes anything.
    func testTrainRefusesGraphsWhoseProgramsDisagree() throws {
        let text = try String(contentsOfFile: SBIC.repository.appendingPathComponent(graph).path, encoding: .utf8)
        let noSample = try write("no_sample.sbig", String(text[..<text.range(of: "program sample\n")!.lowerBound]))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let sampleStart = lines.firstIndex(of: "program sample")!
        let outputLine = lines[sampleStart...].firstIndex { $0.hasPrefix("  output theta ") }!
        // The sample program's noise handed back as θ: the right shape, and nothing computed.
        let noiseLine = lines[sampleStart...].first { $0.contains(" = input noise.") }!
        let noise = noiseLine.dropFirst(3).prefix { $0.isNumber }
        var echoed = lines
        echoed[outputLine] = "  output theta %\(noise)"
        let echoing = try write("echoing.sbig", echoed.joined(separator: "\n"))
        // A noise input in train_step that loss lacks, placed past the end of the arena.
        let trainStart = lines.firstIndex(of: "program train_step")!
        let arenaLine = lines[trainStart...].firstIndex { $0.hasPrefix("  arena ") }!
        let arena = Int(lines[arenaLine].split(separator: " ").last!)!
        let lastNode = lines[trainStart..<arenaLine].lastIndex { $0.hasPrefix("  %") }!
        let index = Int(lines[lastNode].dropFirst(3).prefix { $0.isNumber })! + 1
        var extra = lines
        extra[arenaLine] = "  arena \(arena + 32)"
        extra.insert("  %\(index) = input noise.extra : f32[32,1] @\(arena)", at: lastNode + 1)
        let extraNoise = try write("extra_noise.sbig", extra.joined(separator: "\n"))

        for (file, expected) in [(noSample, "the graph has no sample program"),
                                 (echoing, "(input), not a value the program computes"),
                                 (extraNoise, "program loss: expected an input noise.extra of shape f32[32,1], as train_step has")] {
            let out = path("model-" + URL(fileURLWithPath: file).lastPathComponent)
            try refuses(["train", file, "--simulations", "200", "--max-epochs", "1", "--out", out], expected)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(file): wrote \(out)")
        }
    }

    func testThetaAndYMustHoldTheSameRows() throws {
        let theta = try write("theta.csv", "1,2\n3,4\n5,6\n")
        let y = try write("y.csv", "1,2\n3,4\n")
        try refuses(train(theta: theta, y: y), "y.csv: has 2 rows, but \(theta) has 3")
    }

    func testEmptyFilesAreNamed() throws {
        let y = try write("y.csv", "1,2\n")
        try refuses(train(theta: try write("empty.csv", ""), y: y), "empty.csv: empty file")
        try refuses(train(theta: try write("header.csv", "theta_1,theta_2\n"), y: y), "header.csv: holds no simulations")
        try refuses(train(theta: try write("empty.npy", Data()), y: y), "empty.npy: empty file")
        try refuses(train(theta: try write("rows0.npy", npy([], shape: "(0, 2)")), y: y), "rows0.npy: holds no simulations")
    }

    /// Failed simulations are dropped, as the protocol says, and the first one is located.
    func testNonFiniteRowsAreDroppedAndLocated() throws {
        var (theta, y) = try simulated(300)
        y[4] = "0.1,nan"
        theta[9] = "-inf,0.2"
        let result = try SBIC.run(train(theta: try write("theta.csv", theta.joined(separator: "\n")),
                                        y: try write("y.csv", y.joined(separator: "\n")), out: "trained"))
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertTrue(result.output.contains("(2 dropped as non-finite, the first at \(path("y.csv")), row 5, column 2)"),
                      result.output)
        let allFailed = Array(repeating: "nan,nan", count: 300)
        try refuses(train(theta: try write("theta.csv", theta.joined(separator: "\n")),
                          y: try write("nan.csv", (["a,b"] + allFailed).joined(separator: "\n"))),
                    "nan.csv: 0 usable simulations (300 dropped as non-finite)")
    }

    /// Numbers a reader could get wrong without a word are refused instead.
    func testAmbiguousNumbersAreRefused() throws {
        let theta = try write("theta.csv", "1,2\n3,4\n")
        try refuses(train(theta: theta, y: try write("y.csv", "1,2\n3,1e999\n")),
                    "y.csv: row 2, column 2: \"1e999\" is beyond the range of a 64-bit float")
        // A damaged first row is no header: taken for one, it would shift every pair.
        try refuses(train(theta: theta, y: try write("y.csv", "1,2x\n3,4\n")), "y.csv: row 1, column 2: \"2x\" is not a number")
        // A header where a row should be: two files run together.
        try refuses(train(theta: theta, y: try write("y.csv", "a,b\n1,2\na,b\n3,4\n")), "y.csv: row 3, column 1: \"a\" is not a number")
        try refuses(train(theta: theta, y: try write("y.txt", "1,2\n3,4\n")), "y.txt: expected a .npy or .csv file")
    }

    func testDamagedNpyFilesAreNamed() throws {
        let y = try write("y.csv", "1,2\n3,4\n")
        let valid = npy([1, 2, 3, 4], shape: "(2, 2)")
        func damaged(_ transform: (inout Data) -> Void) -> Data { var data = valid; transform(&data); return data }
        try refuses(train(theta: try write("c8.npy", npy([1, 2, 3, 4], shape: "(2, 2)", descr: "<c8")), y: y),
                    "c8.npy: field 'descr': unsupported dtype '<c8'")
        try refuses(train(theta: try write("short.npy", valid.dropLast(5)), y: y), "short.npy: truncated")
        try refuses(train(theta: try write("long.npy", valid + Data(count: 8)), y: y), "long.npy: 8 bytes after the data")
        try refuses(train(theta: try write("v9.npy", damaged { $0[6] = 9 }), y: y), "v9.npy: unsupported .npy format version 9.0")
        try refuses(train(theta: try write("zip.npy", Data("PK\u{3}\u{4}".utf8)), y: y), "zip.npy: not a .npy file")
        try refuses(train(theta: try write("3d.npy", npy([1, 2, 3, 4], shape: "(1, 2, 2)")), y: y),
                    "3d.npy: field 'shape': (1, 2, 2): only 0-, 1- and 2-D arrays are supported")
    }

    func testObservationFilesAreChecked() throws {
        let model = path("trained")
        var result = try SBIC.run(["train", graph, "--simulations", "300", "--max-epochs", "1", "--out", model])
        XCTAssertEqual(result.status, 0, result.error)
        // A big-endian file reads as the same numbers: the samples are the same.
        try write("obs.csv", "y_1,y_2\n0.1,-0.3\n")
        try write("obs.npy", npy([0.1, -0.3], shape: "(1, 2)", descr: ">f8"))
        for name in ["obs.csv", "obs.npy"] {
            result = try SBIC.run(["sample", model, "--observation", path(name), "-n", "20", "--out", path(name + ".out.csv"), "--seed", "1"])
            XCTAssertEqual(result.status, 0, result.error)
        }
        XCTAssertEqual(try String(contentsOfFile: path("obs.csv.out.csv"), encoding: .utf8),
                       try String(contentsOfFile: path("obs.npy.out.csv"), encoding: .utf8))

        let sample = { (file: String) in ["sample", model, "--observation", file, "-n", "10", "--out", self.path("s.csv")] }
        try refuses(sample(try write("nan.csv", "y_1,y_2\n0.1,0.2\n0.3,nan\n")), "nan.csv: row 3, column 2: nan: an observation must be finite")
        try refuses(sample(try write("three.csv", "0.1,0.2,0.3\n")), "three.csv: has 3 columns; the model expects 2")
        try refuses(sample(try write("none.csv", "y_1,y_2\n")), "none.csv: holds no observation")
        try refuses(["sample", model, "--obs", "1", "--out", path("samples.txt")], "--out must name a .csv or .npy file")
    }

    func testDamagedGraphFilesAreNamed() throws {
        let text = try String(contentsOfFile: SBIC.repository.appendingPathComponent(graph).path, encoding: .utf8)
        func edited(_ old: String, _ new: String) throws -> String {
            XCTAssertTrue(text.contains(old), old)
            return try write("g.sbig", text.replacingOccurrences(of: old, with: new))
        }
        let simulate = ["--simulations", "100", "--out", path("model")]
        try refuses(["train", try edited("meta training.max_epochs 1000", "meta training.max_epochs 1e300")] + simulate,
                    "g.sbig: meta training.max_epochs is 1e300, not an integer from 1 to 2147483647")
        try refuses(["train", try edited("meta target.size 2", "meta target.size 3")] + simulate,
                    "g.sbig: program train_step: expected an input theta of shape f32[32,3] (meta target.size)")
        try refuses(["train", try edited("f32[4,128] kaiming_normal(4)", "f32[4,128] kaiming_normal(-4)")] + simulate,
                    "g.sbig: after parse: parameter encoder.layer0.weight has fan-in -4")
        try refuses(["train", try write("g.sbig", Data([0xC3, 0x28]))] + simulate, "g.sbig: not UTF-8 text")
    }

    func testDamagedModelDirectoriesAreNamed() throws {
        let model = path("trained")
        let result = try SBIC.run(["train", graph, "--simulations", "300", "--max-epochs", "1", "--out", model])
        XCTAssertEqual(result.status, 0, result.error)
        let record = try String(contentsOfFile: model + "/model.json", encoding: .utf8)
        let weights = try FileManager.default.contentsOfDirectory(atPath: model).first { $0.hasPrefix("weights-") }!
        let sample = ["sample", model, "--obs", "1", "-n", "10", "--out", path("s.csv")]

        let original = try Data(contentsOf: URL(fileURLWithPath: model + "/" + weights))
        try original.prefix(100).write(to: URL(fileURLWithPath: model + "/" + weights))
        try refuses(sample, "\(weights): the header says")
        try FileManager.default.removeItem(atPath: model + "/" + weights)
        try refuses(sample, "\(weights): missing or unreadable")
        try original.write(to: URL(fileURLWithPath: model + "/" + weights))
        try String(record.prefix(40)).write(toFile: model + "/model.json", atomically: true, encoding: .utf8)
        try refuses(sample, "model.json: not an sbic model record")
    }

    /// Sizes no machine could hold are refused with the number, before anything is attempted.
    func testAbsurdSizesAreRefused() throws {
        try refuses(["train", "specs/two_moons_cpvae.json", "--simulations", "1000000000000", "--out", path("model")],
                    "1000000000000 simulations of two_moons needs 87.3 TiB, more than this machine's")
        try refuses(["simulate", "--task", "two_moons", "-n", "1000000000000", "--out", path("data")], "needs 87.3 TiB")
        try refuses(["train", "specs/two_moons_cpvae.json", "--batch-size", "1000000000", "--out", path("model")],
                    "the compiled graph needs", "more than the limit of")
        for list in ["1-1000000000000", "1,-3", "5-", "1--3", "1,,3", ""] {
            try refuses(["sample", path("model"), "--obs", list], "is not a list of observation numbers")
        }
        let model = path("trained")
        let result = try SBIC.run(["train", graph, "--simulations", "300", "--max-epochs", "1", "--out", model])
        XCTAssertEqual(result.status, 0, result.error)
        try refuses(["sample", model, "--obs", "1", "-n", "10000000000000", "--out", path("s.csv")],
                    "drawing 10000000000000 samples for each of 1 observation(s) needs 145.5 TiB")
    }
}
