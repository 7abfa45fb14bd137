import Foundation
import IR

/// The machine's memory, against which sizes that come from files and options are checked
/// before anything is allocated. An allocation that cannot succeed ends the process with a
/// crash rather than an error, so an absurd size must be refused first, with its number.
public enum MemoryBudget {
    public static var physical: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    /// Throws unless `bytes` (computed with saturating arithmetic) fit in the machine's
    /// memory; `what` names what needs them: "running sample needs 2.0 TiB, more than …".
    public static func require(_ bytes: Int, for what: String) throws {
        guard bytes <= physical else {
            throw TrainingError("\(what) needs \(formatBytes(bytes)), more than this machine's \(formatBytes(physical))")
        }
    }
}
