import Datasets
import Foundation
import TestSupport
import XCTest

final class NPYTests: XCTestCase {
    private func decode(_ base64: String) throws -> Matrix {
        try NPY.decode(NumpyFixtures.data(base64), file: "fixture.npy")
    }

    func testReadsNumpyFiles() throws {
        XCTAssertEqual(try decode(NumpyFixtures.float64C),
                       try Matrix(rows: 2, columns: 3, values: [0, 0.25, 0.5, 0.75, 1, 1.25]))
        XCTAssertEqual(try decode(NumpyFixtures.float32BigEndianFortran),
                       try Matrix(rows: 2, columns: 3, values: [1.5, -2, 3, 4, 5, 6.25]))
        XCTAssertEqual(try decode(NumpyFixtures.int64Vector),
                       try Matrix(rows: 3, columns: 1, values: [-1, 2, 3]))
        XCTAssertEqual(try decode(NumpyFixtures.int32BigEndian),
                       try Matrix(rows: 2, columns: 2, values: [-7, 8, 2_147_483_647, -2_147_483_648]))
        XCTAssertEqual(try decode(NumpyFixtures.uint8),
                       try Matrix(rows: 2, columns: 2, values: [0, 255, 7, 8]))
        XCTAssertEqual(try decode(NumpyFixtures.bool),
                       try Matrix(rows: 3, columns: 1, values: [1, 0, 1]))
        XCTAssertEqual(try decode(NumpyFixtures.scalar), try Matrix(rows: 1, columns: 1, values: [2.5]))
        XCTAssertEqual(try decode(NumpyFixtures.version2), try Matrix(rows: 1, columns: 2, values: [1, 2]))
        XCTAssertEqual(try decode(NumpyFixtures.version3),
                       try Matrix(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6]))
        let special = try decode(NumpyFixtures.float32Special)
        XCTAssertEqual(special.values[0], Double(Float(0.1)))
        XCTAssert(special.values[1].isNaN)
        XCTAssertEqual(special.values[2], .infinity)
        XCTAssertEqual(special.values[3].sign, .minus)
    }

    /// The writer produces the same bytes as `np.save`.
    func testWritesWhatNumpyWrites() throws {
        let matrix = try Matrix(rows: 2, columns: 3, values: [0, 0.25, 0.5, 0.75, 1, 1.25])
        XCTAssertEqual(NPY.encode(matrix, as: .float64), NumpyFixtures.data(NumpyFixtures.float64C))
        let special = try Matrix(rows: 2, columns: 2, values: [0.1, .nan, .infinity, -0.0])
        XCTAssertEqual(NPY.encode(special, as: .float32), NumpyFixtures.data(NumpyFixtures.float32Special))
    }

    func testRoundTripThroughFile() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/theta.npy"
        var values: [Double] = []
        for i in 0..<35 { values.append(Double(i) * 0.1 - 1) }
        let matrix = try Matrix(rows: 7, columns: 5, values: values)
        try NPY.write(matrix, to: path)
        XCTAssertEqual(try NPY.read(path), matrix)
        try NPY.write(matrix, to: path, as: .float32)
        XCTAssertEqual(try NPY.read(path).values, values.map { Double(Float($0)) })
        let empty = Matrix(rows: 0, columns: 4)
        try NPY.write(empty, to: path)
        XCTAssertEqual(try NPY.read(path), empty)
    }

    func testErrorsNameTheProblem() throws {
        let valid = NumpyFixtures.data(NumpyFixtures.float64C)
        func message(_ bytes: Data) -> String {
            do {
                _ = try NPY.decode(bytes, file: "x.npy")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(message(Data()), "x.npy: empty file")
        XCTAssertEqual(message(Data("PK\u{3}\u{4}zip".utf8)), "x.npy: not a .npy file (bad magic string)")
        XCTAssertEqual(message(valid.prefix(5)), "x.npy: truncated .npy preamble")
        XCTAssert(message(valid.prefix(60)).hasPrefix("x.npy: truncated: the header says 118 bytes"))
        XCTAssertEqual(message(valid.dropLast(3)),
                       "x.npy: truncated: shape (2, 3) of <f8 needs 48 bytes of data, the file has 45")
        XCTAssertEqual(message(valid + Data([0, 0, 0, 0, 0, 0, 0, 0])),
                       "x.npy: 8 bytes after the data: shape (2, 3) of <f8 accounts for 48 bytes, the file has 56")
        XCTAssertEqual(message(replacing(valid, "(2, 3)", with: "(2, 2)")),
                       "x.npy: 16 bytes after the data: shape (2, 2) of <f8 accounts for 32 bytes, the file has 48")
        XCTAssertEqual(message(replacing(valid, "<f8", with: "<c8")),
                       "x.npy: field 'descr': unsupported dtype '<c8' (supported: f4, f8, i4, i8, u1, b1)")
        XCTAssertEqual(message(replacing(valid, "(2, 3)", with: "(1,2,3)")),
                       "x.npy: field 'shape': (1, 2, 3): only 0-, 1- and 2-D arrays are supported")
        XCTAssertEqual(message(replacing(valid, "'descr'", with: "'dtype'")),
                       "x.npy: field 'descr': missing from the header")
        XCTAssertEqual(message(replacing(valid, "'<f8'", with: "[('a', '<f8')]")),
                       "x.npy: field 'descr': unsupported dtype (structured array)")
        var version9 = valid
        version9[6] = 9
        XCTAssertEqual(message(version9), "x.npy: unsupported .npy format version 9.0")
        XCTAssert(message(replacing(valid, "False", with: "Maybe")).hasPrefix("x.npy: field 'header': unexpected 'Maybe'"))
        XCTAssert(message(replacing(valid, "(2, 3)", with: "(99999999999999999999, 3)"))
            .contains("too large"))
        XCTAssert(message(replacing(valid, "(2, 3)", with: "(4294967296, 4294967296)"))
            .contains("too large"))
    }

    func testReadErrorsNameTheFile() throws {
        let directory = try temporaryDirectory()
        XCTAssertThrowsError(try NPY.read(directory + "/missing.npy")) { error in
            XCTAssertEqual("\(error)", "\(directory)/missing.npy: no such file")
        }
        XCTAssertThrowsError(try NPY.read(directory)) { error in
            XCTAssertEqual("\(error)", "\(directory): is a directory, not a file")
        }
    }

    /// No byte sequence makes the reader trap: every prefix of a valid file, every single
    /// byte changed, and random garbage either decode or throw.
    func testNeverTrapsOnDamagedInput() {
        var generator = TestRandom(seed: 20_261_207)
        for fixture in [NumpyFixtures.float64C, NumpyFixtures.float32BigEndianFortran,
                        NumpyFixtures.version3, NumpyFixtures.bool] {
            let valid = NumpyFixtures.data(fixture)
            for length in 0..<valid.count {
                _ = try? NPY.decode(valid.prefix(length), file: "x.npy")
            }
            for index in valid.indices {
                for value: UInt8 in [0, 0x20, 0x27, 0x28, 0x2C, 0x39, 0x7B, 0x7D, 0xFF] {
                    var damaged = valid
                    damaged[index] = value
                    _ = try? NPY.decode(damaged, file: "x.npy")
                }
            }
        }
        for _ in 0..<2_000 {
            let count = Int.random(in: 0..<300, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if count > 10, Bool.random(using: &generator) {
                bytes.replaceSubrange(0..<8, with: [0x93] + Array("NUMPY".utf8) + [1, 0])
            }
            _ = try? NPY.decode(Data(bytes), file: "x.npy")
        }
    }

    private func replacing(_ data: Data, _ old: String, with new: String) -> Data {
        // Keep the header length field consistent with the edited header.
        var bytes = [UInt8](data)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        var header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        header = header.replacingOccurrences(of: old, with: new)
        let newHeader = Array(header.utf8)
        bytes.replaceSubrange(10..<(10 + headerLength), with: newHeader)
        bytes[8] = UInt8(newHeader.count & 0xFF)
        bytes[9] = UInt8(newHeader.count >> 8)
        return Data(bytes)
    }
}
