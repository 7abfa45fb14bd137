import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a crash or power loss leaves either the old file or the complete
/// new one at the path, never a partial file: checkpoints and results are written this way.
public enum AtomicFile {
    /// Writes `data` to a fresh temporary file in the destination's directory (a rename is
    /// only atomic within one file system), flushes it to disk, renames it over `path`, and
    /// flushes the directory so the rename itself survives a crash.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(temporaryName(for: url.lastPathComponent)).path

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw systemError(path, "cannot create a temporary file") }
        do {
            try writeAll(data, to: fd, path: path)
            guard fsync(fd) == 0 else { throw systemError(path, "cannot flush to disk") }
            guard close(fd) == 0 else {
                unlink(temporary)
                throw systemError(path, "cannot close")
            }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = systemError(path, "cannot replace the file")
            unlink(temporary)
            throw error
        }
        // Best effort: some file systems refuse fsync on a directory, and the data is
        // already safe; only the rename's durability is at stake.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Removes the temporary files that writers killed mid-write left in `directory`: those of
    /// files `of` accepts (by name), written by processes that no longer run. A live writer's
    /// file is left alone, and so is anything but a plain file.
    public static func removeAbandonedTemporaries(in directory: String, of files: (String) -> Bool = { _ in true }) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            guard let (file, pid) = writer(ofTemporary: name), files(file), kill(pid, 0) != 0, errno == ESRCH else { continue }
            var status = stat()
            guard lstat(directory + "/" + name, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            unlink(directory + "/" + name)
        }
    }

    /// `.<name>.<pid>.<random>.tmp`: hidden, unique, and naming the process that writes it.
    private static func temporaryName(for name: String) -> String {
        ".\(name).\(getpid()).\(String(UInt64.random(in: 0...UInt64.max), radix: 36)).tmp"
    }

    /// The file that the temporary file `name` is written for and the process that writes it,
    /// or nil if `name` is no temporary file.
    private static func writer(ofTemporary name: String) -> (file: String, pid: pid_t)? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard name.hasPrefix("."), parts.count >= 5, parts.last == "tmp", let pid = pid_t(parts[parts.count - 3]) else { return nil }
        return (parts[1..<(parts.count - 3)].joined(separator: "."), pid)
    }

    fileprivate static func systemError(_ path: String, _ what: String) -> DataError {
        DataError(file: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}

/// Writes all of `data` to `fd`, resuming after partial writes and interruptions.
private func writeAll(_ data: Data, to fd: Int32, path: String) throws {
    try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, base + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw AtomicFile.systemError(path, "cannot write")
            }
            offset += written
        }
    }
}

/// Creates `directory` and its missing parents, failing with the system's reason: Foundation's
/// errors say only that "the operation could not be completed". Returns the directories it
/// created, outermost first.
@discardableResult
public func createDirectories(_ directory: String) throws -> [String] {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw DataError(file: directory, reason: "is a file, not a directory") }
        return []
    }
    // The parent by hand: NSString.deletingLastPathComponent traps on a one-letter relative path.
    let trimmed = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    var created: [String] = []
    if let slash = trimmed.lastIndex(of: "/"), slash != trimmed.startIndex {
        created = try createDirectories(String(trimmed[..<slash]))
    }
    guard mkdir(directory, 0o755) == 0 else {
        guard errno == EEXIST else { throw DataError(file: directory, reason: "cannot create: \(String(cString: strerror(errno)))") }
        return created
    }
    return created + [directory]
}
