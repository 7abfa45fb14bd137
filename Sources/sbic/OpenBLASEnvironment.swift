import Foundation

/// OpenBLAS reads OPENBLAS_CORETYPE and OPENBLAS_NUM_THREADS when the library is loaded, before
/// `main` runs, so setting them from inside is too late. 0.3.21 does not recognise Zen 5 and
/// falls back to its AVX2 (Haswell) kernels, which run small GEMMs 2–2.5× slower than its
/// AVX-512 (SkylakeX) ones; and a second thread only slows the small products here. When either
/// variable is unset, sbic sets it and executes itself again, once.
enum OpenBLASEnvironment {
    /// Set on the re-executed process, so that it never re-executes again.
    static let marker = "SBIC_OPENBLAS_CONFIGURED"

    static func configure() {
        guard getenv(marker) == nil else { return }
        let settings = missingSettings(set: { getenv($0) != nil }, hasAVX512: cpuHasAVX512())
        guard !settings.isEmpty else { return }
        for (name, value) in settings { setenv(name, value, 1) }
        setenv(marker, "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returns only if it failed: go on with OpenBLAS as it was loaded.
    }

    /// The variables to set. SkylakeX kernels need AVX-512 (they would stop the process with
    /// SIGILL without it), so the core type is only forced where the CPU has it.
    static func missingSettings(set: (String) -> Bool, hasAVX512: Bool) -> [(String, String)] {
        var settings: [(String, String)] = []
        if !set("OPENBLAS_NUM_THREADS") { settings.append(("OPENBLAS_NUM_THREADS", "1")) }
        if !set("OPENBLAS_CORETYPE"), hasAVX512 { settings.append(("OPENBLAS_CORETYPE", "SkylakeX")) }
        return settings
    }

    /// Whether /proc/cpuinfo lists the avx512f flag.
    static func cpuHasAVX512() -> Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
        return info.split(separator: "\n").contains { line in
            line.hasPrefix("flags") && line.split(separator: " ").contains("avx512f")
        }
    }
}
