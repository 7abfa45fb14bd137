import Foundation
import TestSupport
import XCTest

/// Runs the built `sbic` executable, as a user would.
struct SBIC {
    static let repository = TestSupport.repository

    /// The executable next to the test bundle (`.build/<configuration>/sbic`).
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("sbic")
    }

    struct Result {
        var status: Int32
        var output: String
        var error: String
        /// Whether the process died of a signal (a trap, a crash) instead of exiting.
        var crashed = false
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: URL = repository) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting, so a large output cannot fill the pipe and stall the child.
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                      error: String(decoding: error, as: UTF8.self), crashed: process.terminationReason == .uncaughtSignal)
    }

    static func temporaryDirectory() throws -> URL { URL(fileURLWithPath: try TestSupport.temporaryDirectory()) }
}
