import Datasets
import Foundation
import IR
import Interpreter
import Passes
import Spec
import TestSupport
import Training
import XCTest

final class ModelFileTests: XCTestCase {

    static func model(seed: Float) throws -> TrainedModel {
        let spec = try ModelSpec.load(path: repository.appendingPathComponent("specs/two_moons_cpvae.json").path)
        let (graph, _) = try Compiler().compile(spec)
        var weights: [String: [Float]] = [:]
        for p in graph.parameters where p.kind == .weight {
            weights[p.name] = (0..<p.shape.count).map { seed + Float($0) * 1e-3 }
        }
        let summary = TrainingSummary(epochs: 3, bestEpoch: 2, bestValidationLoss: 1.5, wallSeconds: 1, microsecondsPerStep: 100,
                                      simulations: 100, simulationsDropped: 2, seed: 1, backend: "interpreter", stopped: .maxEpochs)
        return TrainedModel(graph: graph, weights: weights,
                            thetaScaler: Scaler(kind: .standard, shift: [0.1, -0.2], scale: [0.5, 0.6]),
                            yScaler: Scaler(kind: .standard, shift: [0, 0], scale: [1, 2]), summary: summary, spec: "{}")
    }

    func testSaveAndLoadRoundTrip() throws {
        let dir = try temporaryDirectory()
        let m = try Self.model(seed: 0.5)
        try m.save(to: dir)
        let loaded = try TrainedModel.load(from: dir)
        XCTAssertEqual(loaded.graph, m.graph)
        XCTAssertEqual(loaded.weights, m.weights)
        XCTAssertEqual(loaded.thetaScaler, m.thetaScaler)
        XCTAssertEqual(loaded.summary, m.summary)
        XCTAssertEqual(loaded.spec, "{}")
    }

    /// A model directory written before each data variable had its own scaling: its graph
    /// records one for both (`meta training.scaling standard`). It loads, draws the same
    /// samples as the model it was edited from, and trains with that scaling for both.
    func testModelsOfEarlierVersionsLoad() throws {
        let dir = try temporaryDirectory()
        let m = try Self.model(seed: 0.5)
        try m.save(to: dir)
        let observation = try Matrix(rows: 1, columns: 2, values: [0.1, -0.2])
        let before = try PosteriorSampler(try TrainedModel.load(from: dir), backend: InterpretedProgram.executables)
            .sample(observation, count: 50, seed: 3)[0].samples
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/model.json"))) as! [String: Any]
        let graphPath = dir + "/" + (record["graph"] as! String)
        let text = try String(contentsOfFile: graphPath, encoding: .utf8)
        let old = text.replacingOccurrences(of: "meta training.scaling.given standard\nmeta training.scaling.target standard\n",
                                            with: "meta training.scaling standard\n")
        XCTAssertNotEqual(old, text)
        try old.write(toFile: graphPath, atomically: true, encoding: .utf8)
        let loaded = try TrainedModel.load(from: dir)
        XCTAssertNil(loaded.graph.metadata["training.scaling.given"])
        let after = try PosteriorSampler(loaded, backend: InterpretedProgram.executables).sample(observation, count: 50, seed: 3)[0].samples
        XCTAssertEqual(after.values, before.values)
        XCTAssertEqual(try TrainingSettings(loaded.graph).scaling, DataScaling(given: .standard, target: .standard))
    }

    /// The weights file is read here with JSONSerialization and raw bytes only, as any other
    /// safetensors reader would, not with sbic's reader.
    func testWeightsAreStandardSafetensors() throws {
        let dir = try temporaryDirectory()
        let m = try Self.model(seed: 0.25)
        try m.save(to: dir)
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/model.json"))) as! [String: Any]
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + (record["weights"] as! String))))
        let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as! [String: Any]
        let data = Array(bytes[(8 + headerLength)...])
        XCTAssertEqual((8 + headerLength) % 8, 0, "data are 8-byte aligned")
        let weights = m.graph.parameters.filter { $0.kind == .weight }
        XCTAssertEqual(header.count, weights.count + 1)
        for p in weights {
            let entry = header[p.name] as! [String: Any]
            XCTAssertEqual(entry["dtype"] as? String, "F32")
            XCTAssertEqual(entry["shape"] as? [Int], p.shape.dims)
            let offsets = entry["data_offsets"] as! [Int]
            let values = stride(from: offsets[0], to: offsets[1], by: 4).map { i in
                Float(bitPattern: UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24)
            }
            XCTAssertEqual(values, m.weights[p.name])
        }
        let metadata = header["__metadata__"] as! [String: String]
        XCTAssertEqual(metadata["sbic.format"], "1")
        XCTAssertNotNil(metadata["sbic.scalers"])
    }

    /// A write that dies before model.json is replaced leaves the previous model intact,
    /// and a completed one replaces it whole, removing the old files, and only those.
    func testReplacementIsAllOrNothing() throws {
        let dir = try temporaryDirectory()
        let old = try Self.model(seed: 1), new = try Self.model(seed: 2)
        try old.save(to: dir)
        let oldWeights = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("weights-") }
        // A file named like sbic's weights, which sbic did not write: its content does not give its name.
        try Data("partial".utf8).write(to: URL(fileURLWithPath: dir + "/weights-deadbeef.safetensors"))
        XCTAssertEqual(try TrainedModel.load(from: dir).weights, old.weights)
        try new.save(to: dir)
        XCTAssertEqual(try TrainedModel.load(from: dir).weights, new.weights)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("weights-") }
        XCTAssertEqual(oldWeights.count, 1)
        XCTAssertFalse(files.contains(oldWeights[0]), "the old weights go once the new model is committed: \(files)")
        XCTAssertEqual(files.count, 2, "the new weights and the file sbic did not write: \(files)")
    }

    /// A save killed after writing its files and before its commit record leaves them named in
    /// the lock file; the next save removes them.
    func testFilesOfAKilledSaveGoWithTheNextSave() throws {
        let dir = try temporaryDirectory()
        try Self.model(seed: 1).save(to: dir)
        let kept = try FileManager.default.contentsOfDirectory(atPath: dir)
        XCTAssertTrue(try String(contentsOfFile: dir + "/model.lock", encoding: .utf8).hasPrefix("sbic run, pid \(getpid())\n"))
        // What a killed save (of process 1) leaves: its weights, and the lock file naming them as pending.
        let bytes = Data("weights of a killed save".utf8)
        // FNV-1a, 64 bits, as sbic names its files.
        let hash = bytes.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        let orphan = "weights-\(String(hash, radix: 16)).safetensors"
        try bytes.write(to: URL(fileURLWithPath: dir + "/" + orphan))
        try Data("sbic run, pid 1\npending \(orphan)\n".utf8).write(to: URL(fileURLWithPath: dir + "/model.lock"))
        try Self.model(seed: 2).save(to: dir)
        let after = try FileManager.default.contentsOfDirectory(atPath: dir)
        XCTAssertFalse(after.contains(orphan), "\(after)")
        XCTAssertEqual(after.count, kept.count, "\(after)")
    }

    func testNewerFormatIsRefusedClearly() throws {
        let dir = try temporaryDirectory()
        try Self.model(seed: 0).save(to: dir)
        let path = dir + "/model.json"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"format\" : 1", with: "\"format\" : 7")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TrainedModel.load(from: dir)) { error in
            XCTAssertTrue("\(error)".contains("written by a newer sbic (model format 7)"), "\(error)")
        }
        XCTAssertThrowsError(try TrainedModel.load(from: dir + "/nothing")) { error in
            XCTAssertTrue("\(error)".contains("no such model directory"), "\(error)")
        }
    }

    /// Values whose squares overflow a 64-bit float: the mean and deviation as computed by hand.
    func testStandardScalerOfHugeValues() throws {
        let scaler = Scaler(fitting: try Matrix(rowArrays: [[1e160, -3e300], [2e160, -1e300], [3e160, -2e300]]), kind: .standard)
        XCTAssertEqual(scaler.shift[0], 2e160, accuracy: 2e160 * 1e-14)
        XCTAssertEqual(scaler.scale[0], 1e160, accuracy: 1e160 * 1e-14)
        XCTAssertEqual(scaler.shift[1], -2e300, accuracy: 2e300 * 1e-14)
        XCTAssertEqual(scaler.scale[1], 1e300, accuracy: 1e300 * 1e-14)
    }

    func testScalers() throws {
        let m = try Matrix(rowArrays: [[1, 10], [2, 10], [3, 10], [4, 10], [100, 10]])
        let standard = Scaler(fitting: m, kind: .standard)
        XCTAssertEqual(standard.shift[0], 22, accuracy: 1e-12)
        XCTAssertEqual(standard.scale[0], (Double([21, 20, 19, 18, 78].map { $0 * $0 }.reduce(0, +)) / 4).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(standard.scale[1], 1, "a constant column keeps scale 1")
        let robust = Scaler(fitting: m, kind: .robust)
        XCTAssertEqual(robust.shift[0], 3)
        XCTAssertEqual(robust.scale[0], 2, "interquartile range 4 − 2, unmoved by the outlier")
        let scaled = standard.apply(m)
        let back = scaled.withUnsafeBufferPointer { standard.invert($0, columns: 2) }
        for (a, b) in zip(back, m.values) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b))) }
    }

    /// The standard scale is at least half the smallest step between a column's values: a
    /// column that is nearly constant gets that floor; continuous values and counts that vary
    /// keep their standard deviation, computed here independently.
    func testTheStandardScaleOfANearlyConstantColumnIsFloored() throws {
        let rows: [[Double]] = (0..<2000).map { r in
            let rare = r >= 1995
            return [rare ? 1 : 0, 0.37 * Double(r * r % 101), Double(r % 7), rare ? 3.25 : 3]
        }
        let m = try Matrix(rowArrays: rows)
        for kind in [Scaling.standard, .logStandard] {
            let data = kind == .standard ? m : try Matrix(rowArrays: rows.map { $0.map { Foundation.exp($0) } })
            let scaler = Scaler(fitting: data, kind: kind)
            for c in 0..<4 {
                let column = rows.map { $0[c] }
                let mean = column.reduce(0, +) / 2000
                XCTAssertEqual(scaler.shift[c], mean, accuracy: 1e-12, "\(kind) \(c)")
                let floor = [0.5, 0, 0, 0.125][c]
                XCTAssertEqual(scaler.scale[c], max(std(of: column), floor), accuracy: 1e-12, "\(kind) \(c)")
            }
            XCTAssertLessThan(std(of: rows.map { $0[0] }), 0.05)
            XCTAssertEqual(Double(scaler.apply(data)[4 * 1999]), (1 - 0.0025) / 0.5, accuracy: 1e-6, "\(kind): the rare 1 lies 2 units out")
        }
    }

    private func std(of column: [Double]) -> Double {
        let mean = column.reduce(0, +) / Double(column.count)
        return (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count - 1)).squareRoot()
    }

    /// log_standard standardizes ln x: for columns 10^k the logs are k·ln 10, whose mean and
    /// standard deviation are known in closed form.
    func testLogScaler() throws {
        let m = try Matrix(rowArrays: [[1e-6, 2], [1e-3, 2], [1, 2], [1e3, 2]])
        let scaler = Scaler(fitting: m, kind: .logStandard)
        let ln10 = Foundation.log(10.0)
        XCTAssertEqual(scaler.shift[0], -1.5 * ln10, accuracy: 1e-12)
        XCTAssertEqual(scaler.scale[0], (Double([-4.5, -1.5, 1.5, 4.5].map { $0 * $0 }.reduce(0, +)) / 3).squareRoot() * ln10,
                       accuracy: 1e-12)
        XCTAssertEqual(scaler.shift[1], Foundation.log(2.0), accuracy: 1e-15)
        XCTAssertEqual(scaler.scale[1], 1, "a constant column keeps scale 1")
        let scaled = scaler.apply(m)
        XCTAssertEqual(Double(scaled[4]), 1.5 / (15.0).squareRoot(), accuracy: 1e-6, "ln 1 = 0 lies 1.5 ln 10 above the mean")
        let back = scaled.withUnsafeBufferPointer { scaler.invert($0, columns: 2) }
        for (a, b) in zip(back, m.values) { XCTAssertEqual(a, b, accuracy: 1e-5 * b, "every value comes back, relative to its size") }

        // Values whose logarithm does not exist are refused with their place; rows dropped as
        // failed simulations are not looked at.
        var theta = Matrix(rows: 40, columns: 1), y = Matrix(rows: 40, columns: 2, repeating: 5)
        for r in 0..<40 { theta.values[r] = Double(r + 1) }
        y.values[2 * 3] = .nan
        y.values[2 * 3 + 1] = -1
        XCTAssertNoThrow(try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .logStandard,
                                          minimumTrainingRows: 8, seed: 1))
        y.values[2 * 9 + 1] = 0
        XCTAssertThrowsError(try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .logStandard,
                                              minimumTrainingRows: 8, seed: 1)) { error in
            XCTAssertEqual("\(error)", "y row 10, column 2 is 0.0: log_standard scaling takes the logarithm, so every value must be positive")
        }
        XCTAssertNoThrow(try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .standard,
                                          minimumTrainingRows: 8, seed: 1))
    }

    func testDataPreparationDropsNonFiniteRowsAndSplits() throws {
        var theta = Matrix(rows: 100, columns: 1), y = Matrix(rows: 100, columns: 2)
        for r in 0..<100 { theta.values[r] = Double(r); y.values[2 * r] = Double(r); y.values[2 * r + 1] = 1 }
        y.values[7] = .nan
        y.values[40] = .infinity
        let data = try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .standard, minimumTrainingRows: 8, seed: 3)
        XCTAssertEqual(data.dropped, 2)
        XCTAssertEqual(data.validationCount, 10)
        XCTAssertEqual(data.trainCount, 88)
        let again = try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .standard, minimumTrainingRows: 8, seed: 3)
        XCTAssertEqual(data.validationTheta, again.validationTheta, "the split depends on the seed alone")
        XCTAssertThrowsError(try TrainingData(theta: theta, y: Matrix(rows: 99, columns: 2), validationFraction: 0.1,
                                              thetaScaling: .standard, yScaling: .standard, minimumTrainingRows: 8, seed: 3)) { error in
            XCTAssertTrue("\(error)".contains("θ has 100 rows but y has 99"), "\(error)")
        }
    }
}
