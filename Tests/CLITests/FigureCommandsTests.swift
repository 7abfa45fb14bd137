import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// sbic sample --plot, plot, curves, calibrate and predictive on a model trained for two epochs.
final class FigureCommandsTests: XCTestCase {
    func svgTexts(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let document = try XMLDocument(contentsOf: URL(fileURLWithPath: path), options: [])
        return try document.nodes(forXPath: "//*[local-name()='text']").map { $0.stringValue ?? "" }
    }

    func testFiguresOfATrainedModel() throws {
        let dir = try SBIC.temporaryDirectory()
        let model = dir.appendingPathComponent("model").path
        var r = try SBIC.run(["train", "specs/two_moons_cpvae.json", "--simulations", "600", "--max-epochs", "2", "--out", model])
        XCTAssertEqual(r.status, 0, r.error)

        // sample --plot numbers its figures like its sample files.
        let samples = dir.appendingPathComponent("s.csv").path, corner = dir.appendingPathComponent("c.svg").path
        r = try SBIC.run(["sample", model, "--obs", "1-2", "-n", "500", "--out", samples, "--plot", corner])
        XCTAssertEqual(r.status, 0, r.error)
        for k in [1, 2] {
            let texts = try svgTexts(dir.appendingPathComponent("c_\(k).svg").path)
            XCTAssertTrue(texts.contains("two_moons, observation \(k)"), "\(texts)")
            XCTAssertTrue(texts.contains("reference samples (10,000)"))
            XCTAssertTrue(texts.contains("parameter_2"))
        }

        // Both observations' samples are in one table, the observation first.
        let table = try String(contentsOfFile: samples, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(table.first, "observation,parameter_1,parameter_2")
        XCTAssertEqual(table.count, 1001)
        XCTAssertEqual(Set(table[1...500].map { $0.split(separator: ",")[0] }), ["1.0"])
        XCTAssertEqual(Set(table[501...].map { $0.split(separator: ",")[0] }), ["2.0"])
        XCTAssertTrue(r.output.contains("wrote 2 × 500 samples of 2 parameters to \(samples), a table with an observation column"), r.output)

        // plot draws the same figure from observation 1's rows: same input, same bytes.
        let first = dir.appendingPathComponent("s1.csv")
        try (["parameter_1,parameter_2"] + table[1...500].map { $0.split(separator: ",").dropFirst().joined(separator: ",") })
            .joined(separator: "\n").write(to: first, atomically: true, encoding: .utf8)
        let replot = dir.appendingPathComponent("p.svg").path
        r = try SBIC.run(["plot", first.path, "--task", "two_moons", "--obs", "1", "--out", replot])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: replot)),
                       try Data(contentsOf: URL(fileURLWithPath: dir.appendingPathComponent("c_1.svg").path)))

        let curves = dir.appendingPathComponent("curves.svg").path
        r = try SBIC.run(["curves", model, "--out", curves])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("2 epochs"), r.output)
        XCTAssertTrue(try svgTexts(curves).contains { $0.hasPrefix("best epoch ") })

        let calibration = dir.appendingPathComponent("calibration").path
        r = try SBIC.run(["calibrate", model, "-n", "40", "--samples", "99", "--out", calibration])
        XCTAssertEqual(r.status, 0, r.error)
        // The plain report ends with the verdict, the same as the library's.
        let verdict = try XCTUnwrap(r.output.split(separator: "\n").last)
        XCTAssertTrue(verdict.hasPrefix("calibrated: ") || verdict.hasPrefix("miscalibrated: parameter_"), r.output)
        XCTAssertTrue(r.output.contains("parameter_2"), r.output)
        r = try SBIC.run(["calibrate", model, "-n", "40", "--samples", "99", "--out", calibration, "--json"])
        XCTAssertEqual(r.status, 0, r.error)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any])
        XCTAssertEqual(report["simulations"] as? Int, 40)
        XCTAssertEqual(report["bins"] as? Int, 2)
        XCTAssertEqual(report["rank_maximum"] as? Int, 99)
        let dimensions = try XCTUnwrap(report["dimensions"] as? [[String: Any]])
        XCTAssertEqual(dimensions.map { $0["name"] as? String }, ["parameter_1", "parameter_2"])
        XCTAssertEqual((dimensions[0]["rank_histogram"] as? [Int])?.reduce(0, +), 40)
        XCTAssertNotNil(dimensions[0]["p_value"] as? Double)
        XCTAssertEqual((dimensions[0]["coverage"] as? [Double])?.count, 21)
        XCTAssertTrue(try svgTexts(calibration + "/calibration.svg").contains("expected coverage"))
        let ranks = try String(contentsOfFile: calibration + "/ranks.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(ranks.count, 41)
    }

    func testHodgkinHuxleyPredictive() throws {
        let dir = try SBIC.temporaryDirectory()
        let samples = dir.appendingPathComponent("hh.csv")
        try "C_m,g_Na,g_K,g_L,E_Na,E_K,E_L\n1.5,90,20,0.3,55,-80,-75\n1.2,100,15,0.2,50,-85,-70\n1.8,70,25,0.4,60,-75,-80\n"
            .write(to: samples, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("predictive.svg").path
        var r = try SBIC.run(["predictive", samples.path, "--truth", "1.5,90,20,0.3,55,-80,-75", "-n", "2", "--out", out])
        XCTAssertEqual(r.status, 0, r.error)
        let texts = try svgTexts(out)
        XCTAssertTrue(texts.contains("simulated at posterior samples (2)"), "\(texts)")
        XCTAssertTrue(texts.contains("simulated at the true parameters"))
        XCTAssertTrue(texts.contains { $0.hasPrefix("spikes: observed ") }, "\(texts)")

        r = try SBIC.run(["predictive", samples.path, "--truth", "1,2", "--out", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("7 parameters"), r.error)
    }

    /// Training into a directory again with --overwrite appends a second run to its log.
    func testCurvesPlotTheLastRun() throws {
        let dir = try SBIC.temporaryDirectory()
        func record(_ epoch: Int, _ best: Int) -> String {
            #"{"best_epoch":\#(best),"best_validation_loss":1,"elapsed_seconds":1,"epoch":\#(epoch),"steps_per_second":1,"train_loss":2,"validation_loss":1}"#
        }
        let log = dir.appendingPathComponent("train.jsonl")
        try ([record(1, 1), record(2, 2), record(3, 2), record(1, 1), record(2, 1)].joined(separator: "\n") + "\n")
            .write(to: log, atomically: true, encoding: .utf8)
        let r = try SBIC.run(["curves", log.path, "--out", dir.appendingPathComponent("c.svg").path])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("(2 epochs, best 1)"), r.output)
    }

    func testFigureErrors() throws {
        let dir = try SBIC.temporaryDirectory()
        let samples = dir.appendingPathComponent("s.csv")
        try "a,b\n1,2\n3,4\n".write(to: samples, atomically: true, encoding: .utf8)
        var r = try SBIC.run(["plot", samples.path, "--out", dir.appendingPathComponent("x.png").path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("give a file name ending in .svg"), r.error)
        r = try SBIC.run(["plot", samples.path, "--obs", "1"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("--obs needs --task"), r.error)
        r = try SBIC.run(["plot", samples.path, "--truth", "1,2,3", "--out", dir.appendingPathComponent("x.svg").path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("3 true parameters for 2 parameters"), r.error)
        r = try SBIC.run(["predictive", samples.path, "--out", dir.appendingPathComponent("x.svg").path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("hodgkin_huxley has 7 parameters"), r.error)
        let log = dir.appendingPathComponent("train.jsonl")
        try "{\"epoch\": 1}\n".write(to: log, atomically: true, encoding: .utf8)
        r = try SBIC.run(["curves", log.path, "--out", dir.appendingPathComponent("c.svg").path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.error.contains("train.jsonl") && r.error.contains("row 1"), r.error)
    }
}
