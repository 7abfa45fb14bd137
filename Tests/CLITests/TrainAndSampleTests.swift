import Foundation
import XCTest

/// simulate → train on the files → sample, as a user with their own simulator would.
final class TrainAndSampleTests: XCTestCase {
    func testUserDataEndToEnd() throws {
        let dir = try SBIC.temporaryDirectory()
        var r = try SBIC.run(["simulate", "--task", "two_moons", "-n", "600", "--seed", "3", "--out", dir.path, "--csv"])
        XCTAssertEqual(r.status, 0, r.error)
        for file in ["theta.npy", "y.npy", "theta.csv", "y.csv"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), file)
        }
        let model = dir.appendingPathComponent("model").path
        r = try SBIC.run(["train", "specs/two_moons_cpvae.json", "--theta", dir.appendingPathComponent("theta.csv").path,
                          "--y", dir.appendingPathComponent("y.npy").path, "--out", model, "--max-epochs", "2"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("540 for training, 60 for validation"), r.output)
        XCTAssertTrue(r.output.contains("stopped after 2 epochs (max epochs)"), r.output)
        let log = try String(contentsOfFile: model + "/train.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(log.count, 2)
        XCTAssertTrue(log[0].contains("\"validation_loss\""), String(log[0]))

        // A second run may not silently replace the model.
        r = try SBIC.run(["train", "specs/two_moons_cpvae.json", "--task", "two_moons", "--simulations", "200", "--out", model])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("already holds a trained model"), r.error)

        let observations = dir.appendingPathComponent("obs.csv")
        try "data_1,data_2\n0.1,-0.2\n-0.3,0.05\n".write(to: observations, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("samples.npy").path
        r = try SBIC.run(["sample", model, "--observation", observations.path, "-n", "1500", "--out", out, "--seed", "5"])
        XCTAssertEqual(r.status, 0, r.error)
        // Two observations: one array of shape (observations, samples, parameters).
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        XCTAssertTrue(String(decoding: data.prefix(128), as: UTF8.self).contains("'shape': (2, 1500, 2)"))
        XCTAssertEqual(data.count, 128 + 2 * 1500 * 2 * 4)
        XCTAssertTrue(r.output.contains("wrote 2 × 1500 samples of 2 parameters to \(out), an array of shape (2, 1500, 2) (seed 5)"),
                      r.output)
        // Observation 2's samples are those a run on observation 2 alone draws after observation 1's.
        r = try SBIC.run(["sample", model, "--observation", "0.1,-0.2", "-n", "1500", "--out", out + ".first.npy", "--seed", "5"])
        XCTAssertEqual(r.status, 0, r.error)
        let first = try Data(contentsOf: URL(fileURLWithPath: out + ".first.npy"))
        XCTAssertEqual(first.dropFirst(128), data.dropFirst(128).prefix(1500 * 2 * 4), "inline observation 1 = row 1 of the file")

        // Statistics per parameter follow, as numbers computed from the file itself.
        let table = try XCTUnwrap(r.output.split(separator: "\n").first { $0.hasPrefix("parameter_1 ") })
        let printed = table.split(separator: " ").dropFirst().compactMap { Double($0) }
        XCTAssertEqual(printed.count, 5, String(table))
        let values = try XCTUnwrap(NPYValues(first)).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
        XCTAssertEqual(printed[0], mean, accuracy: 1e-3 * max(1, abs(mean)))
        XCTAssertEqual(printed[1], sd, accuracy: 1e-3 * sd)
        let median = values.sorted()[749...750].reduce(0, +) / 2
        XCTAssertEqual(printed[3], median, accuracy: 1e-3 * max(1, abs(median)), "the median")
        XCTAssertTrue(printed[2] < printed[3] && printed[3] < printed[4], String(table))

        // Without --seed, each run draws a fresh seed and says which.
        r = try SBIC.run(["sample", model, "--observation", "0.1,-0.2", "-n", "10", "--out", out + ".a.npy"])
        let seeds = try [r, SBIC.run(["sample", model, "--observation", "0.1,-0.2", "-n", "10", "--out", out + ".b.npy"])].map {
            try XCTUnwrap($0.output.firstMatch(of: #/\(seed (\d+)\)/#)?.1).description
        }
        XCTAssertNotEqual(seeds[0], seeds[1])
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: out + ".a.npy")), try Data(contentsOf: URL(fileURLWithPath: out + ".b.npy")))
        r = try SBIC.run(["sample", model, "--observation", "0.1,-0.2", "-n", "10", "--out", out + ".c.npy", "--seed", seeds[0]])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + ".a.npy")), try Data(contentsOf: URL(fileURLWithPath: out + ".c.npy")),
                       "the printed seed repeats the run")
        r = try SBIC.run(["sample", model, "--observation", "0.1,oops", "--out", out])
        XCTAssertTrue(r.error.contains("--observation \"0.1,oops\" is neither a .csv or .npy file nor comma-separated numbers"), r.error)
        r = try SBIC.run(["sample", model, "--observation", "0.1,0.2,0.3", "--out", out])
        XCTAssertTrue(r.error.contains("--observation has 3 values; the model expects 2"), r.error)

        // Two epochs leave the posterior wide, past two_moons' prior [-1, 1]²; --within-prior keeps
        // only the draws inside it.
        let inside = dir.appendingPathComponent("inside.csv").path
        r = try SBIC.run(["sample", model, "--obs", "1", "-n", "1500", "--within-prior", "--out", inside])
        XCTAssertEqual(r.status, 0, r.error)
        let kept = try XCTUnwrap(r.output.firstMatch(of: #/kept 1500 of (\d+) draws inside the prior's support/#), r.output)
        let draws = try XCTUnwrap(Int(kept.1))
        XCTAssertGreaterThan(draws, 1500, "some draws should fall outside the prior after two epochs")
        let rows = try String(contentsOfFile: inside, encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(rows.count, 1500)
        for row in rows {
            let theta = row.split(separator: ",").compactMap { Double($0) }
            XCTAssertEqual(theta.count, 2, String(row))
            XCTAssertTrue(theta.allSatisfy { (-1...1).contains($0) }, String(row))
        }
        r = try SBIC.run(["sample", model, "--obs", "1", "--within-prior", "--task", "slcp", "--out", inside])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("--within-prior: slcp has 5 parameters; the model draws 2"), r.error)
    }

    /// A simulator that is not built in: a spec without a task, data with named columns, a
    /// prior file. The names and the prior travel with the model into sample, plot and calibrate.
    func testYourOwnSimulator() throws {
        let dir = try SBIC.temporaryDirectory()
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        var spec = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: SBIC.repository.appendingPathComponent("specs/two_moons_cpvae.json"))) as? [String: Any])
        spec["task"] = nil
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: path("spec.json")))
        // θ ~ U[-0.5, 0.5]², y = θ + N(0, 0.1²), drawn here.
        var rng = SystemRandomNumberGenerator()
        func pairs(_ count: Int) -> (String, String) {
            var theta = "mu,log_sigma\n", y = ""
            for _ in 0..<count {
                let t = [Double.random(in: -0.5...0.5, using: &rng), Double.random(in: -0.5...0.5, using: &rng)]
                theta += "\(t[0]),\(t[1])\n"
                y += t.map { "\($0 + 0.1 * Double.random(in: -1.7...1.7, using: &rng))" }.joined(separator: ",") + "\n"
            }
            return (theta, y)
        }
        let (theta, y) = pairs(600)
        try theta.write(toFile: path("theta.csv"), atomically: true, encoding: .utf8)
        try y.write(toFile: path("y.csv"), atomically: true, encoding: .utf8)
        try #"{"lower": [-0.5, -0.5], "upper": [0.5, 0.5]}"#.write(toFile: path("prior.json"), atomically: true, encoding: .utf8)
        var r = try SBIC.run(["train", path("spec.json"), "--theta", path("theta.csv"), "--y", path("y.csv"), "--prior", path("prior.json"),
                              "--max-epochs", "2", "--out", path("model")])
        XCTAssertEqual(r.status, 0, r.error)
        let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("model/model.json")))) as? [String: Any])
        XCTAssertEqual(record["parameter_names"] as? [String], ["mu", "log_sigma"])
        XCTAssertEqual((record["prior"] as? [[String: Any]])?.first?["uniform"] as? [Double], [-0.5, 0.5])

        // --within-prior needs no task: the model's own prior bounds the draws.
        r = try SBIC.run(["sample", path("model"), "--observation", "0.1,0.2", "-n", "300", "--within-prior", "--out", path("s.csv"),
                          "--plot", path("c.svg")])
        XCTAssertEqual(r.status, 0, r.error)
        let rows = try String(contentsOfFile: path("s.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.first, "mu,log_sigma")
        XCTAssertEqual(rows.count, 301)
        for row in rows.dropFirst() {
            XCTAssertTrue(row.split(separator: ",").allSatisfy { abs(Double($0)!) <= 0.5 }, String(row))
        }
        XCTAssertTrue(r.output.contains("log_sigma"), "the statistics name the parameters: \(r.output)")
        let svg = try String(contentsOfFile: path("c.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains(">mu<") && svg.contains(">log_sigma<"), "the plot's labels")

        // Calibration on held-out pairs of the same simulator.
        let (heldTheta, heldY) = pairs(60)
        try heldTheta.write(toFile: path("held_theta.csv"), atomically: true, encoding: .utf8)
        try heldY.write(toFile: path("held_y.csv"), atomically: true, encoding: .utf8)
        r = try SBIC.run(["calibrate", path("model"), "--theta", path("held_theta.csv"), "--y", path("held_y.csv"), "--samples", "99",
                          "--out", path("calibration")])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("60 simulations (0 dropped as non-finite)"), r.output)
        let verdict = try XCTUnwrap(r.output.split(separator: "\n").last)
        XCTAssertTrue(verdict.hasPrefix("calibrated: ") || verdict.hasPrefix("miscalibrated: "), r.output)
        XCTAssertEqual(try String(contentsOfFile: path("calibration/ranks.csv"), encoding: .utf8).split(separator: "\n").first,
                       "mu,log_sigma")
        r = try SBIC.run(["calibrate", path("model"), "--out", path("calibration")])
        XCTAssertTrue(r.error.contains("the model names no task: give --task, or held-out simulations with --theta and --y"), r.error)
        r = try SBIC.run(["calibrate", path("model"), "--theta", path("held_theta.csv"), "--y", path("y.csv"), "--out", path("calibration")])
        XCTAssertTrue(r.error.contains("y.csv: has 600 rows, but \(path("held_theta.csv")) has 60"), r.error)

        // A prior that does not fit the data is refused before training.
        try #"[{"uniform": [0, 1]}]"#.write(toFile: path("prior1.json"), atomically: true, encoding: .utf8)
        r = try SBIC.run(["train", path("spec.json"), "--theta", path("theta.csv"), "--y", path("y.csv"), "--prior", path("prior1.json"),
                          "--out", path("model2")])
        XCTAssertTrue(r.error.contains("prior1.json: is a prior over 1 parameter; two_moons_cpvae has 2"), r.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("model2/model.json")))

        // A spec or graph where a model directory belongs.
        r = try SBIC.run(["sample", path("spec.json"), "--observation", "0.1,0.2"])
        XCTAssertTrue(r.error.contains("spec.json: is a spec, not a model directory (the output of sbic train); train it first"), r.error)
        r = try SBIC.run(["calibrate", "generated/two_moons_cpvae.sbig"])
        XCTAssertTrue(r.error.contains("is a compiled graph, not a model directory"), r.error)
    }

    func testBadDataIsNamed() throws {
        let dir = try SBIC.temporaryDirectory()
        let theta = dir.appendingPathComponent("theta.csv"), y = dir.appendingPathComponent("y.csv")
        try "1,2\n3,4\n5,6\n".write(to: theta, atomically: true, encoding: .utf8)
        try "1,2\n3,oops\n".write(to: y, atomically: true, encoding: .utf8)
        var r = try SBIC.run(["train", "generated/two_moons_cpvae.sbig", "--theta", theta.path, "--y", y.path, "--out", dir.appendingPathComponent("m").path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("y.csv") && r.error.contains("row 2"), r.error)

        try "1,2,3\n4,5,6\n".write(to: y, atomically: true, encoding: .utf8)
        r = try SBIC.run(["train", "generated/two_moons_cpvae.sbig", "--theta", theta.path, "--y", y.path, "--out", dir.appendingPathComponent("m").path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("y.csv: has 3 columns; two_moons_cpvae expects 2 for y"), r.error)

        r = try SBIC.run(["train", "generated/two_moons_cpvae.sbig", "--batch-size", "8", "--out", dir.appendingPathComponent("m").path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("batch size is compiled into"), r.error)

        r = try SBIC.run(["sample", dir.appendingPathComponent("none").path, "--obs", "1"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("no such model directory"), r.error)

        r = try SBIC.run(["simulate", "--task", "three_moons", "-n", "5"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("valid names: two_moons"), r.error)
    }
}

/// The float32 values of a 2-D .npy file that sbic wrote (a 128-byte header).
func NPYValues(_ data: Data) -> [Double]? {
    guard data.count >= 128, (data.count - 128) % 4 == 0 else { return nil }
    return stride(from: 128, to: data.count, by: 4).map { offset in
        Double(Float(bitPattern: data.subdata(in: offset..<(offset + 4)).withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
    }
}
