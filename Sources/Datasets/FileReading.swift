import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of the file at `path`, or a `DataError` that says why they cannot be read.
///
/// Only regular files (or links to one) are read: a pipe or a device such as /dev/zero has no
/// end a reader can rely on, and is refused with that reason.
public func readFile(_ path: String) throws -> Data {
    var status = stat()
    guard stat(path, &status) == 0 else {
        throw DataError(file: path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
    }
    switch status.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: throw DataError(file: path, reason: "is a directory, not a file")
    default: throw DataError(file: path, reason: "is not a regular file (a pipe or a device)")
    }
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw DataError(file: path, reason: "cannot be read (\(error.localizedDescription))")
    }
}
