import Datasets
import Foundation
import IR
import Runtime

/// Compiled code on disk, so that a second command on the same graph loads its objects instead
/// of compiling them. An entry is keyed by everything the code depends on (`CacheKey`); it is
/// written to a temporary file and renamed into place, so readers see a whole entry or none,
/// and concurrent writers of the same key write the same bytes. Every read checks the entry's
/// length, key and checksum; a missing, truncated or corrupt entry reads as a miss, is
/// compiled again and rewritten. Failing to write is not an error: the cache is only an
/// optimization.
///
/// Where: `SBIC_CACHE_DIR` if set, else `$XDG_CACHE_HOME/sbic`, else `~/.cache/sbic`.
/// `SBIC_CACHE=off` turns it off.
struct ObjectCache {
    let directory: String

    /// The cache the environment asks for, or nil when it is off or there is nowhere to keep it.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ObjectCache? {
        if let setting = environment["SBIC_CACHE"]?.lowercased(), ["off", "0", "no", "false"].contains(setting) { return nil }
        if let directory = environment["SBIC_CACHE_DIR"], !directory.isEmpty { return ObjectCache(directory: directory) }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return ObjectCache(directory: xdg + "/sbic") }
        if let home = environment["HOME"], home.hasPrefix("/") { return ObjectCache(directory: home + "/.cache/sbic") }
        return nil
    }

    func path(_ key: CacheKey) -> String { directory + "/" + key.hex + ".jit" }

    /// The objects stored under `key`, or nil.
    func load(_ key: CacheKey) -> [Data]? {
        guard let data = FileManager.default.contents(atPath: path(key)) else { return nil }
        return Self.decode(data, key: key)
    }

    /// Stores `objects` under `key`; failures are ignored. Temporary files that writers killed
    /// mid-write left behind go first.
    func store(_ objects: [Data], _ key: CacheKey) {
        guard (try? createDirectories(directory)) != nil else { return }
        AtomicFile.removeAbandonedTemporaries(in: directory) { $0.hasSuffix(".jit") }
        try? AtomicFile.write(Self.encode(objects, key: key), to: path(key))
    }

    static let magic = Array("sbic-jit-objects-1\n".utf8)

    /// magic · key (32 bytes) · object count (u32) · each object's length (u64) · the objects ·
    /// SHA-256 of everything before it. Integers little-endian.
    static func encode(_ objects: [Data], key: CacheKey) -> Data {
        var data = Data(magic)
        data.append(contentsOf: key.digest)
        append(UInt64(objects.count), bytes: 4, to: &data)
        for object in objects { append(UInt64(object.count), bytes: 8, to: &data) }
        for object in objects { data.append(object) }
        data.append(contentsOf: SHA256.digest(data))
        return data
    }

    /// The objects of an entry, or nil unless it is whole, for `key`, and unaltered.
    static func decode(_ data: Data, key: CacheKey) -> [Data]? {
        let bytes = [UInt8](data)
        let header = magic.count + 32 + 4
        guard bytes.count >= header + 32, Array(bytes[..<magic.count]) == magic,
              Array(bytes[magic.count..<(magic.count + 32)]) == key.digest else { return nil }
        let body = bytes.count - 32
        guard Array(bytes[body...]) == SHA256.digest(Data(bytes[..<body])) else { return nil }
        let count = Int(read(bytes, at: magic.count + 32, bytes: 4))
        var offset = header + 8 * count
        guard count > 0, offset <= body else { return nil }
        var objects: [Data] = []
        for i in 0..<count {
            let length = read(bytes, at: header + 8 * i, bytes: 8)
            guard length <= UInt64(body - offset) else { return nil }
            objects.append(Data(bytes[offset..<(offset + Int(length))]))
            offset += Int(length)
        }
        return offset == body ? objects : nil
    }

    private static func append(_ value: UInt64, bytes: Int, to data: inout Data) {
        for i in 0..<bytes { data.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    private static func read(_ bytes: [UInt8], at offset: Int, bytes count: Int) -> UInt64 {
        (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }
}

/// What compiled code depends on, hashed: the programs as compiled (their text, memory plans
/// included), where the parameter store keeps each parameter, the kernel choices asked for,
/// the number of compilation units, the host's CPU and features, and the build of sbic itself
/// (the size and modification time of the file holding the JIT, so that any rebuild — a new
/// version or not — misses).
struct CacheKey: Hashable {
    let digest: [UInt8]
    var hex: String { digest.map { String(format: "%02x", $0) }.joined() }

    init(digest: [UInt8]) { self.digest = digest }

    init(_ programs: [Program], parameters: ParameterStore<Float>, options: JIT.Options, units: Int, host: HostTarget) {
        var text = "sbic jit\nbuild \(Self.build)\ncpu \(host.cpu)\nfeatures \(host.features)\n"
        text += "matmul \(options.matmul?.rawValue ?? "per shape")\nunits \(units)\n"
        for p in parameters.parameters { text += "parameter \(p.name) \(parameters.offsets[p.name] ?? -1) \(p.shape)\n" }
        for program in programs { text += program.text }
        digest = SHA256.digest(Data(text.utf8))
    }

    /// The file this code was loaded from (the sbic executable, or the library that holds the
    /// JIT), by size and modification time: the mapping of /proc/self/maps that holds one of
    /// this module's functions.
    static let build: String = {
        let marker: @convention(c) () -> Void = {}
        let address = UInt(bitPattern: unsafeBitCast(marker, to: UnsafeRawPointer.self))
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return "unknown" }
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let range = fields.first?.split(separator: "-").compactMap { UInt($0, radix: 16) } ?? []
            guard fields.count >= 6, range.count == 2, range[0] <= address, address < range[1] else { continue }
            let file = fields[5...].joined(separator: " ")
            var status = stat()
            guard stat(file, &status) == 0 else { return file }
            return "\(file) \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
        }
        return "unknown"
    }()
}
