import Datasets
import Foundation
import Interpreter
import IR
import TestSupport
import Training
import XCTest

/// A model directory that was edited by hand or damaged on disk is refused with the file and
/// field at fault; nothing in it may crash sbic or make it sample nonsense without a word.
final class DamagedModelTests: XCTestCase {
    /// A saved model, and its record as a JSON object to damage.
    private func saved() throws -> (directory: String, record: [String: Any]) {
        let directory = try temporaryDirectory()
        try ModelFileTests.model(seed: 0.5).save(to: directory)
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/model.json"))
        return (directory, try JSONSerialization.jsonObject(with: data) as! [String: Any])
    }

    private func write(_ record: [String: Any], to directory: String) throws {
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: directory + "/model.json"))
    }

    private func loadError(_ directory: String) -> String {
        do {
            _ = try TrainedModel.load(from: directory)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testTheRecordNamesFilesInTheDirectoryOnly() throws {
        var (directory, record) = try saved()
        record["weights"] = "../../etc/passwd"
        try write(record, to: directory)
        XCTAssertEqual(loadError(directory),
                       "\(directory)/model.json: field 'weights': \"../../etc/passwd\" is not a file name in the model directory")
        record["weights"] = "weights-0.safetensors"
        try write(record, to: directory)
        XCTAssertEqual(loadError(directory), "\(directory)/weights-0.safetensors: missing or unreadable")
    }

    func testAMalformedRecordSaysWhere() throws {
        var (directory, record) = try saved()
        record["summary"] = nil
        try write(record, to: directory)
        XCTAssertTrue(loadError(directory).hasSuffix("malformed model record: missing \"summary\""), loadError(directory))
        (directory, record) = try saved()
        var summary = record["summary"] as! [String: Any]
        summary["epochs"] = "three"
        record["summary"] = summary
        try write(record, to: directory)
        XCTAssertTrue(loadError(directory).contains("malformed model record: summary.epochs: "), loadError(directory))
        try Data("{\"format\": 1, \"name\": ".utf8).write(to: URL(fileURLWithPath: directory + "/model.json"))
        XCTAssertEqual(loadError(directory), "\(directory)/model.json: not an sbic model record")
    }

    /// A number out of its field's range is named by its field, as any other malformed value.
    func testAnOutOfRangeNumberSaysWhere() throws {
        var (directory, record) = try saved()
        var summary = record["summary"] as! [String: Any]
        summary["seed"] = -1
        record["summary"] = summary
        try write(record, to: directory)
        XCTAssertTrue(loadError(directory).contains("model.json: malformed model record: summary.seed: "), loadError(directory))
    }

    /// A model.json that is there but is no file says what it is, not that there is no model.
    func testAModelJSONThatIsNotAFileSaysWhatItIs() throws {
        let (directory, _) = try saved()
        let path = directory + "/model.json"
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        XCTAssertEqual(loadError(directory), "\(path): is a directory, not a file")
        try FileManager.default.removeItem(atPath: path)
        XCTAssertEqual(mkfifo(path, 0o644), 0)
        XCTAssertEqual(loadError(directory), "\(path): is not a regular file (a pipe or a device)")
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero")
        XCTAssertEqual(loadError(directory), "\(path): is not a regular file (a pipe or a device)")
        try FileManager.default.removeItem(atPath: path)
        XCTAssertEqual(loadError(directory), "\(path): no model.json: this directory holds no trained model")
    }

    /// Safetensors bytes with the given header entries over `bytes` bytes of data.
    private func safetensors(_ header: String, bytes: Int) -> Data {
        var json = Data(header.utf8)
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var data = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        return data + json + Data(count: bytes)
    }

    /// The format lets every byte of the data belong to one tensor: two tensors over the same
    /// bytes, a name given twice, or bytes of no tensor mean a file that is not what it says.
    func testSafetensorsWithSharedBytesOrNamesAreRefused() throws {
        func error(_ header: String, bytes: Int) -> String {
            do { _ = try SafeTensors.decode(safetensors(header, bytes: bytes), file: "w.safetensors"); return "no error" } catch { return "\(error)" }
        }
        let a = #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#
        XCTAssertEqual(error("{\(a)}", bytes: 8), "no error")
        XCTAssertEqual(error("{\(a),\(a.replacingOccurrences(of: "\"a\"", with: "\"b\""))}", bytes: 8),
                       "w.safetensors: tensor b: bytes [0, 8] overlap another tensor's")
        XCTAssertEqual(error("{\(a),\(a)}", bytes: 8), "w.safetensors: the header names \"a\" twice")
        XCTAssertEqual(error(#"{"__metadata__":{"k":"\"a\":"},"# + a + "}", bytes: 8), "no error", "a key inside a value is no key")
        XCTAssertEqual(error(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#, bytes: 16),
                       "w.safetensors: bytes [8, 12] of the data belong to no tensor")
        XCTAssertEqual(error("{\(a)}", bytes: 12), "w.safetensors: bytes [8, 12] of the data belong to no tensor")
    }

    /// The scalers divide and index by column: their sizes and values must fit the graph.
    func testScalersMustFitTheGraph() throws {
        var (directory, record) = try saved()
        record["theta_scaler"] = ["kind": "standard", "shift": [0, 0, 0], "scale": [1, 1, 1]]
        try write(record, to: directory)
        XCTAssertEqual(loadError(directory),
                       "\(directory)/model.json: field 'theta_scaler': 3 shifts and 3 scales for 2 columns")
        record["theta_scaler"] = ["kind": "standard", "shift": [0, 0], "scale": [1, 0]]
        try write(record, to: directory)
        XCTAssertEqual(loadError(directory), "\(directory)/model.json: field 'theta_scaler': column 2 has shift 0.0 "
                       + "and scale 0.0; they must be finite and the scale positive")
    }

    func testWeightsMustBeCompleteAndFinite() throws {
        let (directory, record) = try saved()
        let path = directory + "/" + (record["weights"] as! String)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        try original.prefix(original.count - 4).write(to: URL(fileURLWithPath: path))
        XCTAssertTrue(loadError(directory).contains("does not match bytes"), loadError(directory))

        var bytes = [UInt8](original)
        bytes.replaceSubrange((bytes.count - 4)..., with: [0x00, 0x00, 0xC0, 0x7F])   // NaN, little-endian
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertTrue(loadError(directory).contains("value 1 is nan"), loadError(directory))
    }

    func testADamagedGraphIsNamed() throws {
        let (directory, record) = try saved()
        let path = directory + "/" + (record["graph"] as! String)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "meta given.size 2", with: "meta given.size 3")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(loadError(directory),
                       "\(path): program sample: expected an input y of shape f32[1,3] (meta given.size)")
        try Data([0xFF, 0xFE, 0x00]).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(loadError(directory), "\(path): not UTF-8 text")
    }

    /// The spec is a record of where the graph came from; the model samples without it.
    func testAMissingSpecStillLoads() throws {
        let (directory, record) = try saved()
        try FileManager.default.removeItem(atPath: directory + "/" + (record["spec"] as! String))
        XCTAssertNil(try TrainedModel.load(from: directory).spec)
    }

    func testSafetensorsSizesAreCheckedWithoutOverflow() throws {
        func decodeError(_ header: String, body: Int = 0) -> String {
            var data = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
            data.append(Data(header.utf8))
            data.append(Data(count: body))
            do {
                _ = try SafeTensors.decode(data, file: "w.safetensors")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        // 2^62 elements: their byte count overflowed and trapped.
        XCTAssertTrue(decodeError(#"{"w": {"dtype": "F32", "shape": [2305843009213693952, 2], "data_offsets": [0, 16]}}"#, body: 16)
            .contains("does not match bytes"))
        XCTAssertTrue(decodeError(#"{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 16]}}"#, body: 16)
            .contains("does not match bytes"))
        XCTAssertTrue(decodeError(#"{"w": {"dtype": "F32", "shape": [-1, -4], "data_offsets": [0, 16]}}"#, body: 16)
            .contains("does not match bytes"))
        XCTAssertTrue(decodeError(#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}"#, body: 16)
            .contains("does not match bytes"))
        XCTAssertTrue(decodeError(#"{"w": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}}"#, body: 8)
            .contains("expected dtype F32"))
        XCTAssertTrue(decodeError(#"{"__metadata__": {"a": 1}}"#).contains("__metadata__ must map strings to strings"))
        XCTAssertEqual(decodeError(#"{"w": {"dtype": "F32", "shape": [2, 0], "data_offsets": [0, 0]}}"#), "no error")
        XCTAssertTrue(decodeError("[" + String(repeating: "[", count: 100_000)).contains("not a JSON object"))
    }

    func testSampleCountsAreChecked() throws {
        let model = try ModelFileTests.model(seed: 0.1)
        let sampler = try PosteriorSampler(model, backend: TrainerTests.interpreter)
        let observation = Matrix(rows: 1, columns: 2)
        XCTAssertThrowsError(try sampler.sample(observation, count: 1 << 60, seed: 1)) { error in
            XCTAssertTrue("\(error)".hasPrefix("drawing 1152921504606846976 samples for each of 1 observation(s) needs 8.0 EiB"),
                          "\(error)")
        }
        XCTAssertThrowsError(try sampler.sample(observation, count: 0, seed: 1))
        var damaged = model
        damaged.weights["decoder.mean.bias"] = [1]
        XCTAssertThrowsError(try PosteriorSampler(damaged, backend: TrainerTests.interpreter)) { error in
            XCTAssertEqual("\(error)", "weight decoder.mean.bias has 1 values; the graph's f32[2] holds 2")
        }
        XCTAssertEqual(try sampler.sample(observation, count: 5, seed: 1)[0].samples.rows, 5)
        // Weights at the edge of float32 overflow the decoder's mean: no sample comes out.
        var overflowing = model
        overflowing.weights["decoder.mean.weight"] = overflowing.weights["decoder.mean.weight"]!.map { _ in 3e38 }
        let diverged = try PosteriorSampler(overflowing, backend: TrainerTests.interpreter)
        XCTAssertThrowsError(try diverged.sample(observation, count: 5, seed: 1)) { error in
            XCTAssertTrue("\(error)".hasSuffix("for observation 1: it diverged, or cannot represent this observation"), "\(error)")
        }
    }
}
