import Foundation
import XCTest

final class CompileCommandTests: XCTestCase {
    func testCompileWritesTheGraphAndReports() throws {
        let out = try SBIC.temporaryDirectory()
        let result = try SBIC.run(["compile", "specs/slcp_cpvae.json", "specs/two_moons_upvae.json", "-o", out.path])
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertTrue(result.output.contains("slcp_cpvae: "), result.output)
        XCTAssertTrue(result.output.contains("after fusion, arena"), result.output)
        XCTAssertTrue(result.output.contains("dense layers (matmul + bias + activation)"), result.output)
        let written = try String(contentsOf: out.appendingPathComponent("slcp_cpvae.sbig"), encoding: .utf8)
        let golden = try String(contentsOf: SBIC.repository.appendingPathComponent("generated/slcp_cpvae.sbig"), encoding: .utf8)
        XCTAssertEqual(written, golden)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("two_moons_upvae.sbig").path))
    }

    func testPrintAfterAllShowsEveryPass() throws {
        let out = try SBIC.temporaryDirectory()
        let result = try SBIC.run(["compile", "--print-after-all", "specs/two_moons_cpvae.json", "-o", out.path])
        XCTAssertEqual(result.status, 0, result.error)
        for pass in ["lower", "autodiff", "optimizer", "dce", "fuse", "plan-memory"] {
            XCTAssertTrue(result.output.contains("; after \(pass)\n"), pass)
        }
    }

    func testBadSpecsAreRefusedWithThePlace() throws {
        let dir = try SBIC.temporaryDirectory()
        let cases: [(String, String)] = [
            ("{ \"name\": \"x\",\n  \"variables\": { \"theta\": 2 ", "x.json:2:"),
            (try String(contentsOf: SBIC.repository.appendingPathComponent("specs/two_moons_cpvae.json"), encoding: .utf8)
                .replacingOccurrences(of: "\"inputs\": [\"y\", \"z\"]", with: "\"inputs\": [\"y\", \"w\"]"),
             "networks.decoder.inputs[1]"),
            (try String(contentsOf: SBIC.repository.appendingPathComponent("specs/two_moons_cpvae.json"), encoding: .utf8)
                .replacingOccurrences(of: "\"batch_size\": 32", with: "\"batch_size\": 0"),
             "training.batch_size"),
        ]
        for (text, expected) in cases {
            let file = dir.appendingPathComponent("x.json")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let result = try SBIC.run(["compile", file.path, "-o", dir.path])
            XCTAssertNotEqual(result.status, 0)
            XCTAssertTrue(result.error.contains(expected), "\(expected) not in: \(result.error)")
            XCTAssertTrue(result.error.hasPrefix("error: "), result.error)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.sbig").path))
        }
        let missing = try SBIC.run(["compile", dir.appendingPathComponent("nope.json").path])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.error.contains("nope.json"), missing.error)
    }

    func testMemoryLimitRefusesWithTheNumber() throws {
        let dir = try SBIC.temporaryDirectory()
        let result = try SBIC.run(["compile", "specs/lotka_volterra_cpvae.json", "--memory-limit", "1MiB", "-o", dir.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.error.contains("need"), result.error)
        XCTAssertTrue(result.error.contains("more than the limit of 1.0 MiB"), result.error)
    }

    /// The report says how each KL term is computed and which outputs are bounded; "prior"
    /// bounds of a task whose prior is not a box are refused with their place.
    func testBoundedSpecsCompileAndBadBoundsAreRefused() throws {
        let out = try SBIC.temporaryDirectory()
        let result = try SBIC.run(["compile", "specs/beyond/gaussian_linear_uniform_cpvae_bounded.json", "-o", out.path])
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertTrue(result.output.contains("  loss[0] kl(encoder ‖ prior): closed form\n"), result.output)
        XCTAssertTrue(result.output.contains("  decoder: theta bounded to [-1, 1]^10 (logit/sigmoid)\n"), result.output)

        let spec = try String(contentsOf: SBIC.repository.appendingPathComponent("specs/beyond/gaussian_linear_uniform_cpvae_bounded.json"),
                              encoding: .utf8)
        let file = out.appendingPathComponent("gaussian.json")
        try spec.replacingOccurrences(of: #""task": "gaussian_linear_uniform""#, with: #""task": "gaussian_linear""#)
            .write(to: file, atomically: true, encoding: .utf8)
        let refused = try SBIC.run(["compile", file.path, "-o", out.path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.error.contains(#"networks.decoder.output.theta.bounds: the prior of task "gaussian_linear" is not a box"#),
                      refused.error)
    }
}
