import Datasets
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A model directory, held by one run from before its data are made until it ends.
///
/// The directory is the user's, so sbic writes only into one that is new, empty or an sbic
/// model's, and removes only files that it wrote and that its own records name: the
/// content-named files (`graph-…`, `weights-…`, `spec-…`, `state-…`) of a model that `model.json` no longer
/// names, or of a save that was killed before its `model.json`, and only while their content
/// still gives their name. It never follows a link, and removes a folder only when this run
/// created it and ends without saving a model, and the folder holds nothing but this run's
/// lock and log (`removeIfUnsaved`).
///
/// `model.lock` is held locked (`flock`) by the run, so that two runs cannot replace each
/// other's files. It also records the files a save is about to write, before it writes them:
/// that is how the next save knows the files of a killed one.
public final class ModelDirectory {
    public let path: String
    private let lock: Int32
    /// Files written (or about to be) that no committed record may name yet.
    private var pending: Set<String>
    /// The directories this run created, outermost first.
    private var created: [String] = []
    private var createdLock = false
    private var saved = false

    public static let lockName = "model.lock"
    static let recordName = "model.json"
    static let logName = "train.jsonl"
    /// The first line of `model.lock`, before the pid of the run that holds it.
    private static let lockMark = "sbic run, pid "

    /// Refuses, without touching anything, a directory that a run may not write into: one that
    /// holds anything but an sbic model, or a model when `overwrite` is false.
    public static func check(_ path: String, overwrite: Bool, wording: Wording = .commandLine) throws {
        func refuse(_ reason: String) -> DataError { DataError(file: path, reason: reason) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw refuse("is a file, not a directory; choose another \(wording.out)") }
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw refuse("cannot be read (\(error.localizedDescription)); choose another \(wording.out)")
        }
        if entries.isEmpty { return }
        if entries.contains(recordName) {
            guard previousFiles(path) != nil else {
                throw refuse("holds a model.json that is not an sbic model record; sbic writes only into a new or empty "
                             + "directory or an sbic model's: choose another \(wording.out)")
            }
            guard overwrite else {
                throw refuse("already holds a trained model; pass \(wording.overwrite) to replace it, or choose another \(wording.out)")
            }
            return
        }
        // A run stopped before its first save leaves its lock (and perhaps its log) only.
        if entries.contains(lockName), lockContent(path + "/" + lockName) != nil { return }
        let shown = entries.sorted().prefix(3).map { "\"\($0)\"" }.joined(separator: ", ") + (entries.count > 3 ? ", …" : "")
        throw refuse("is not empty (it holds \(shown)) and holds no sbic model; sbic writes only into a new or empty "
                     + "directory or an sbic model's: choose another \(wording.out)")
    }

    /// Claims `path` for this process until it ends (or this object goes): creates it if
    /// needed, refuses it as `check` does, and refuses it while another run holds it.
    public init(claiming path: String, overwrite: Bool, wording: Wording = .commandLine) throws {
        func refuse(_ reason: String) -> DataError { DataError(file: path, reason: reason) }
        try Self.check(path, overwrite: overwrite, wording: wording)
        let created: [String]
        do { created = try createDirectories(path) } catch let error as DataError {
            throw refuse((error.file == path ? "" : error.file + " ") + error.reason + "; choose another \(wording.out)")
        }
        let lockPath = path + "/" + Self.lockName
        var existing = stat()
        let createdLock = lstat(lockPath, &existing) != 0 && errno == ENOENT
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw refuse("cannot open \(Self.lockName): \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw refuse("\(Self.lockName) is not a regular file; choose another \(wording.out)")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            let holder = Self.lockContent(lockPath)?.pid.map { " (pid \($0))" } ?? ""
            throw refuse("is in use by another sbic run\(holder); wait for it to end, or choose another \(wording.out)")
        }
        self.path = path
        lock = fd
        pending = []
        self.created = created
        self.createdLock = createdLock
        // Another run may have saved a model between the check and the lock.
        try Self.check(path, overwrite: overwrite, wording: wording)
        guard let content = Self.lockContent(lockPath) else { throw refuse("\(Self.lockName) was not written by sbic") }
        pending = content.pending
        try writeLock()
    }

    deinit { close(lock) }

    /// Writes a model: its content-named files, then `model.json` naming them (the commit),
    /// then removes the files of earlier models that no record names any more.
    /// `record` is given the names of the files, in the order of `files`.
    func save(_ files: [(data: Data, kind: String, extension: String)], record: ([String]) throws -> Data) throws {
        let names = files.map { "\($0.kind)-\(String(fnv1a($0.data), radix: 16)).\($0.extension)" }
        // The new files, recorded before they exist, and the previous model's, which the new
        // record will not name: a kill anywhere from here on leaves every one of them named.
        pending.formUnion(names + (Self.previousFiles(path) ?? []))
        try writeLock()
        for (file, name) in zip(files, names) where FileManager.default.contents(atPath: path + "/" + name) != file.data {
            try AtomicFile.write(file.data, to: path + "/" + name)
        }
        try AtomicFile.write(try record(names), to: path + "/" + Self.recordName)
        saved = true
        // Only now may the files of the previous model go.
        for name in pending.subtracting(names) { removeIfWritten(name) }
        pending = []
        try writeLock()
        AtomicFile.removeAbandonedTemporaries(in: path) { name in
            name == Self.recordName || Self.contentHash(of: name) != nil
        }
    }

    /// After a run that failed before it saved a model: removes the directories this run
    /// created, innermost first, when they hold nothing but this run's lock and log, so that a
    /// failed run leaves no empty model directory behind. Anything else there keeps them. In
    /// a directory that was there before, only the lock goes, if this run created it.
    public func removeIfUnsaved() {
        guard !saved else { return }
        guard let directory = created.last, directory == path else {
            if createdLock { unlink(path + "/" + Self.lockName) }
            return
        }
        let ours: Set = [Self.lockName, Self.logName]
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path), Set(entries).isSubset(of: ours) else { return }
        for name in entries {
            var status = stat()
            guard lstat(path + "/" + name, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return }
        }
        for name in entries { unlink(path + "/" + name) }
        // rmdir removes only an empty directory: a parent that holds anything else stays.
        for directory in created.reversed() where rmdir(directory) != 0 { break }
    }

    /// Removes `name` if it is a plain file whose content gives its name, as sbic wrote it.
    private func removeIfWritten(_ name: String) {
        let file = path + "/" + name
        var status = stat()
        guard let hash = Self.contentHash(of: name), lstat(file, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
              let data = try? readFile(file), fnv1a(data) == hash else { return }
        unlink(file)
    }

    /// The hash in the name of a content-named file, `graph-<hex>.sbig`, `weights-<hex>.safetensors`,
    /// `spec-<hex>.json` or `state-<hex>.safetensors`; nil for any other name.
    static func contentHash(of name: String) -> UInt64? {
        for (kind, ext) in [("graph", "sbig"), ("weights", "safetensors"), ("spec", "json"), ("state", "safetensors")]
        where name.hasPrefix(kind + "-") && name.hasSuffix("." + ext) {
            let hex = name.dropFirst(kind.count + 1).dropLast(ext.count + 1)
            guard !hex.isEmpty, hex.count <= 16, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
                  let value = UInt64(hex, radix: 16), String(value, radix: 16) == hex else { return nil }
            return value
        }
        return nil
    }

    /// The files the `model.json` in `directory` names, or nil when it is missing or is not an sbic record.
    static func previousFiles(_ directory: String) -> [String]? {
        struct Names: Decodable { var format: Int; var graph: String; var weights: String; var spec: String?; var state: String? }
        guard let data = try? readFile(directory + "/" + recordName),
              let names = try? JSONDecoder().decode(Names.self, from: data) else { return nil }
        return [names.graph, names.weights] + [names.spec, names.state].compactMap { $0 }
    }

    /// The lock file's pid and pending files; nil unless sbic wrote it (it may be empty while
    /// a run that has just created it has not yet written it).
    private static func lockContent(_ path: String) -> (pid: Int?, pending: Set<String>)? {
        guard let data = try? readFile(path) else { return nil }
        if data.isEmpty { return (nil, []) }
        guard let text = String(data: data, encoding: .utf8), text.hasPrefix(lockMark) else { return nil }
        let lines = text.split(separator: "\n")
        return (Int(lines[0].dropFirst(lockMark.count)),
                Set(lines.dropFirst().filter { $0.hasPrefix("pending ") }.map { String($0.dropFirst("pending ".count)) }))
    }

    private func writeLock() throws {
        let text = Self.lockMark + "\(getpid())\n" + pending.sorted().map { "pending \($0)\n" }.joined()
        let data = Data(text.utf8)
        let written = data.withUnsafeBytes { pwrite(lock, $0.baseAddress, $0.count, 0) }
        guard written == data.count, ftruncate(lock, off_t(data.count)) == 0, fsync(lock) == 0 else {
            throw DataError(file: path + "/" + Self.lockName, reason: "cannot write: \(String(cString: strerror(errno)))")
        }
    }
}
