import CLLVM
import Foundation

/// What the JIT knows about the CPU it runs on: the facts its kernel choices and its cache key
/// depend on, and that `sbic bench` prints beside its numbers.
public struct HostCPU: Sendable, Encodable, Equatable {
    /// The model as the operating system names it (/proc/cpuinfo's "model name").
    public var model: String
    /// LLVM's name for the CPU ("generic" where LLVM 14 does not know it).
    public var llvmName: String
    /// LLVM's feature string for the host: every feature, "+avx2,-avx512f,…".
    public var llvmFeatures: String
    /// Per core, in bytes (0 where the system does not say).
    public var l1dBytes: Int
    public var l2Bytes: Int
    /// Per cache instance, usually shared by several cores.
    public var l3Bytes: Int
    public var cores: Int

    /// The vector instruction sets the kernels' code generation uses, as LLVM names them.
    public var isa: [String] {
        let on = Set(llvmFeatures.split(separator: ",").filter { $0.hasPrefix("+") }.map { String($0.dropFirst()) })
        return ["sse4.2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512vnni",
                "avx512bf16", "avx512fp16", "amx-tile"].filter(on.contains)
    }

    /// Width of a vector register in bits, and how many there are: 32 × 512 with AVX-512,
    /// 16 × 256 with AVX (x86-64's SSE: 16 × 128).
    public var vectorBits: Int { isa.contains("avx512f") ? 512 : isa.contains("avx") ? 256 : 128 }
    public var vectorRegisters: Int { isa.contains("avx512f") ? 32 : 16 }

    private enum CodingKeys: String, CodingKey {
        case model, llvmName, llvmFeatures, l1dBytes, l2Bytes, l3Bytes, cores, isa, vectorBits, vectorRegisters
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(llvmName, forKey: .llvmName)
        try c.encode(llvmFeatures, forKey: .llvmFeatures)
        try c.encode(l1dBytes, forKey: .l1dBytes)
        try c.encode(l2Bytes, forKey: .l2Bytes)
        try c.encode(l3Bytes, forKey: .l3Bytes)
        try c.encode(cores, forKey: .cores)
        try c.encode(isa, forKey: .isa)
        try c.encode(vectorBits, forKey: .vectorBits)
        try c.encode(vectorRegisters, forKey: .vectorRegisters)
    }

    /// This machine, read once per process.
    public static let current: HostCPU = detect()

    private static func detect() -> HostCPU {
        let name = takeMessage(LLVMGetHostCPUName())
        let features = takeMessage(LLVMGetHostCPUFeatures())
        var caches: [String: Int] = [:]  // "1Data", "2Unified", "3Unified"
        let root = "/sys/devices/system/cpu/cpu0/cache"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where entry.hasPrefix("index") {
            func read(_ file: String) -> String? {
                (try? String(contentsOfFile: "\(root)/\(entry)/\(file)", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let level = read("level"), let type = read("type"), let size = read("size").flatMap(Self.bytes) else { continue }
            caches[level + type] = size
        }
        func sysconfBytes(_ name: Int32) -> Int { max(0, sysconf(name)) }
        return HostCPU(model: cpuModel() ?? name, llvmName: name, llvmFeatures: features,
                       l1dBytes: caches["1Data"] ?? sysconfBytes(Int32(_SC_LEVEL1_DCACHE_SIZE)),
                       l2Bytes: caches["2Unified"] ?? sysconfBytes(Int32(_SC_LEVEL2_CACHE_SIZE)),
                       l3Bytes: caches["3Unified"] ?? sysconfBytes(Int32(_SC_LEVEL3_CACHE_SIZE)),
                       cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// "48K", "1024K", "32M" as sysfs writes cache sizes.
    static func bytes(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        if let unit = text.last.flatMap({ units[$0] }) { return Int(text.dropLast()).map { $0 * unit } }
        return Int(text)
    }

    private static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
