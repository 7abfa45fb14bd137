import Foundation

/// The bytes of the file at `path`, or a `DataError` that says why they cannot be read.
func readFileData(_ path: String) throws -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw DataError(file: path, reason: "no such file")
    }
    guard !isDirectory.boolValue else {
        throw DataError(file: path, reason: "is a directory, not a file")
    }
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw DataError(file: path, reason: "cannot be read (\(error.localizedDescription))")
    }
}
