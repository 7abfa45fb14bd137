import Datasets
import Foundation
import TestSupport
import XCTest

/// SHA-256 against the test vectors of FIPS 180-4 (NIST's examples) and `sha256sum`.
final class SHA256Tests: XCTestCase {
    func testNISTVectors() {
        XCTAssertEqual(SHA256.hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // Two blocks: the padding does not fit after 56 bytes.
        XCTAssertEqual(SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(Data(repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every length around the block and padding boundaries, against coreutils.
    func testAgainstSha256sum() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum") else { throw XCTSkip("no sha256sum") }
        let directory = URL(fileURLWithPath: try temporaryDirectory())
        let lengths = [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000]
        var files: [String] = []
        for length in lengths {
            let file = directory.appendingPathComponent("\(length)").path
            try Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }).write(to: URL(fileURLWithPath: file))
            files.append(file)
        }
        let process = Process(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = files
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let expected = text.split(separator: "\n").map { String($0.prefix(64)) }
        XCTAssertEqual(expected.count, lengths.count)
        for (file, digest) in zip(files, expected) {
            XCTAssertEqual(SHA256.hex(try Data(contentsOf: URL(fileURLWithPath: file))), digest, file)
        }
    }
}
