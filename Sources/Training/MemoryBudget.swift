import Foundation
import IR

/// The machine's memory, against which sizes that come from files and options are checked
/// before anything is allocated. An allocation that cannot succeed ends the process with a
/// crash rather than an error, so an absurd size must be refused first, with its number.
public enum MemoryBudget {
    public static var physical: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    /// The address space this process may take (`ulimit -v`), when it is limited.
    public static var processLimit: Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// Throws unless `bytes` (computed with saturating arithmetic) fit in the machine's
    /// memory and the process's limit; `what` names what needs them: "running sample needs
    /// 2.0 TiB, more than …".
    public static func require(_ bytes: Int, for what: String) throws {
        if let limit = processLimit, limit < physical, bytes > limit {
            throw TrainingError("\(what) needs \(formatBytes(bytes)), more than the \(formatBytes(limit)) this process may use (ulimit -v)")
        }
        guard bytes <= physical else {
            throw TrainingError("\(what) needs \(formatBytes(bytes)), more than this machine's \(formatBytes(physical))")
        }
    }
}
