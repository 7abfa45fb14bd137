import Foundation
import XCTest

/// `sbic logprob` as a user runs it: exact for an NPE, the IWAE bound for a VAE (said so,
/// with K), the same values from both back ends, and bad input named by file and row.
final class LogProbTests: XCTestCase {
    /// The printed values after the line that says what they are.
    private func values(_ output: String) -> [Double] {
        output.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { Double($0) }
    }

    func testExactAndBoundAndErrors() throws {
        let dir = try SBIC.temporaryDirectory()
        var r = try SBIC.run(["simulate", "--task", "two_moons", "-n", "400", "--seed", "3", "--out", dir.path, "--csv"])
        XCTAssertEqual(r.status, 0, r.error)
        let (theta, y) = (dir.appendingPathComponent("theta.csv").path, dir.appendingPathComponent("y.npy").path)
        let npe = dir.appendingPathComponent("npe").path, vae = dir.appendingPathComponent("vae").path
        for (spec, model) in [("specs/beyond/two_moons_mdn.json", npe), ("specs/two_moons_cpvae.json", vae)] {
            r = try SBIC.run(["train", spec, "--theta", theta, "--y", y, "--out", model, "--max-epochs", "1"])
            XCTAssertEqual(r.status, 0, r.error)
        }
        let points = dir.appendingPathComponent("points.csv")
        try "theta_1,theta_2\n0.1,-0.2\n0.5,0.5\n-0.9,0.3\n".write(to: points, atomically: true, encoding: .utf8)

        // Exact: the header says so, one value a row, the same from both back ends.
        r = try SBIC.run(["logprob", npe, "--theta", points.path, "--observation", "0.1,-0.3"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.hasPrefix("# log q(θ | y), exact\n"), r.output)
        let jit = values(r.output)
        XCTAssertEqual(jit.count, 3, r.output)
        r = try SBIC.run(["logprob", npe, "--theta", points.path, "--observation", "0.1,-0.3", "--backend", "interpreter"])
        XCTAssertEqual(r.status, 0, r.error)
        for (a, b) in zip(jit, values(r.output)) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b))) }
        // An observation per row: row 2's is the one given above.
        let observations = dir.appendingPathComponent("observations.csv")
        try "data_1,data_2\n0,0\n0.1,-0.3\n0.2,0.2\n".write(to: observations, atomically: true, encoding: .utf8)
        r = try SBIC.run(["logprob", npe, "--theta", points.path, "--observation", observations.path])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertEqual(values(r.output)[1], jit[1], accuracy: 1e-6 * max(1, abs(jit[1])))

        // The VAE's bound says what it is and with how many samples; a seed repeats it, and the
        // back ends agree on it.
        let out = dir.appendingPathComponent("logprob.csv").path
        r = try SBIC.run(["logprob", vae, "--theta", points.path, "--obs", "1", "--samples", "50", "--seed", "4", "--out", out])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("IWAE lower bound on log q(θ | y), 50 importance samples per row (seed 4)"), r.output)
        let written = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(written.first, "log_prob_iwae_lower_bound_k50")
        XCTAssertEqual(written.count, 4)
        r = try SBIC.run(["logprob", vae, "--theta", points.path, "--obs", "1", "--samples", "50", "--seed", "4",
                          "--backend", "interpreter"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.hasPrefix("# IWAE lower bound"), r.output)
        for (a, b) in zip(written.dropFirst().compactMap { Double($0) }, values(r.output)) {
            XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b)))
        }

        // Calibration ranks by the exact density of the NPE, and skips the VAE's bound unless asked.
        let calibration = dir.appendingPathComponent("calibration").path
        r = try SBIC.run(["calibrate", npe, "-n", "20", "--samples", "99", "--out", calibration])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("highest-density regions (joint; density exact): p-value"), r.output)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: calibration + "/calibration.json")))
        let entry = try XCTUnwrap((report as? [String: Any])?["highest_density"] as? [String: Any])
        XCTAssertEqual((entry["rank_histogram"] as? [Int])?.reduce(0, +), 20)
        r = try SBIC.run(["calibrate", vae, "-n", "20", "--samples", "99", "--out", calibration])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("highest-density regions: skipped; this model's density is an IWAE estimate"), r.output)
        r = try SBIC.run(["calibrate", vae, "-n", "20", "--samples", "99", "--density-samples", "2", "--out", calibration])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("highest-density regions (joint; density IWAE lower bound, K = 2): p-value"), r.output)

        // Errors name the file, and the row as an editor shows it (the header is row 1).
        func failure(_ arguments: [String]) throws -> String {
            let r = try SBIC.run(["logprob"] + arguments)
            XCTAssertNotEqual(r.status, 0, "\(arguments): \(r.output)")
            XCTAssertFalse(r.crashed)
            return r.error
        }
        let missing = dir.appendingPathComponent("missing.csv").path
        XCTAssertTrue(try failure([npe, "--theta", missing, "--obs", "1"]).contains(missing), "a missing file is named")
        let wide = dir.appendingPathComponent("wide.csv")
        try "1,2,3\n4,5,6\n".write(to: wide, atomically: true, encoding: .utf8)
        var message = try failure([npe, "--theta", wide.path, "--obs", "1"])
        XCTAssertTrue(message.contains("\(wide.path): has 3 columns; the model's θ has 2"), message)
        let bad = dir.appendingPathComponent("bad.csv")
        try "a,b\n0,0\n0,0\n1,nan\n".write(to: bad, atomically: true, encoding: .utf8)
        message = try failure([npe, "--theta", bad.path, "--obs", "1"])
        XCTAssertTrue(message.contains("\(bad.path): row 4, column 2: nan: θ must be finite"), message)
        let two = dir.appendingPathComponent("two.csv")
        try "0,0\n1,1\n".write(to: two, atomically: true, encoding: .utf8)
        message = try failure([npe, "--theta", points.path, "--observation", two.path])
        XCTAssertTrue(message.contains("\(two.path): has 2 observations for the 3 rows of \(points.path)"), message)
        message = try failure([npe, "--theta", points.path, "--observation", "1,2,3"])
        XCTAssertTrue(message.contains("--observation has 3 values; the model expects 2"), message)
        message = try failure([npe, "--theta", points.path, "--obs", "1", "--samples", "0"])
        XCTAssertTrue(message.contains("--samples must be positive"), message)
        message = try failure(["specs/two_moons_cpvae.json", "--theta", points.path, "--obs", "1"])
        XCTAssertTrue(message.contains("not a model directory"), message)
    }
}
