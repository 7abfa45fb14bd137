import Datasets
import Foundation
import TestSupport
import XCTest

final class AtomicFileTests: XCTestCase {
    func testWritesAndReplacesWithoutLeftovers() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/weights.bin"
        try AtomicFile.write(Data("old".utf8), to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("old".utf8))
        try AtomicFile.write(Data("new contents".utf8), to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("new contents".utf8))
        try AtomicFile.write(Data(), to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["weights.bin"])
    }

    /// A writer killed between creating its temporary file and renaming it leaves the file
    /// behind; the next writer removes it, unless its process still runs.
    func testAbandonedTemporariesAreRemoved() throws {
        let directory = try temporaryDirectory()
        let dead = "\(directory)/.model.json.\(Int32.max).k3x9.tmp", live = "\(directory)/.model.json.\(getpid()).a1.tmp"
        for path in [dead, live, directory + "/model.json", directory + "/.hidden.tmp"] {
            FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        }
        AtomicFile.removeAbandonedTemporaries(in: directory)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: directory)),
                       [".model.json.\(getpid()).a1.tmp", "model.json", ".hidden.tmp"])
    }

    func testFailureNamesTheFileAndKeepsTheOldOne() throws {
        let directory = try temporaryDirectory()
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: directory + "/no/such/dir/f")) { error in
            XCTAssert("\(error)".hasPrefix("\(directory)/no/such/dir/f: cannot create a temporary file: "),
                      "\(error)")
        }
        // Renaming a file over a directory fails; the directory and its content survive
        // and no temporary file is left behind.
        let target = directory + "/occupied"
        try FileManager.default.createDirectory(atPath: target + "/inner", withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: target)) { error in
            XCTAssert("\(error)".hasPrefix("\(target): cannot replace the file: "), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["occupied"])
    }
}
