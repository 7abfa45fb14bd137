import Datasets
import Foundation

/// What produced a score, so that a table merged from the results of many machines can be
/// traced to the build, the host and the spec.
public struct Provenance: Codable, Equatable, Sendable {
    /// The commit of the repository sbic was built in (`git describe --always --dirty`), when
    /// the executable lies in one.
    public var commit: String?
    /// SHA-256 of the sbic executable: the build, exactly.
    public var executable: String
    public var host: String
    public var cpu: String
    /// SHA-256 of the spec file, as `sha256sum` prints it.
    public var spec: String
    public var samples: Int
    public var maxEpochs: Int?

    public init(commit: String?, executable: String, host: String, cpu: String, spec: String, samples: Int, maxEpochs: Int?) {
        self.commit = commit; self.executable = executable; self.host = host; self.cpu = cpu; self.spec = spec
        self.samples = samples; self.maxEpochs = maxEpochs
    }

    enum CodingKeys: String, CodingKey {
        case commit, host, cpu, samples
        case executable = "executable_sha256", spec = "spec_sha256", maxEpochs = "max_epochs"
    }
}

extension RunKey {
    /// `<task>_<model>_<budget>_s<seed>`: the run's result file, model and log are named so.
    public var name: String { "\(task)_\(model)_\(budget)_s\(seed)" }
}

/// The result file of one run (one trained model, its scores on each observation): JSON
/// lines, one record an observation, written whole and atomically, so that a run on any
/// machine either left its complete file or none.
public enum RunResults {
    public static func fileName(_ key: RunKey) -> String { key.name + ".jsonl" }

    /// The records of `key` in the file at `path`; nil when there is no such file, or it is
    /// torn or holds anything but records of `key` (a file copied in part, edited, or
    /// misnamed), so that the run is done again.
    public static func read(_ path: String, key: RunKey) -> [RunRecord]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var records: [RunRecord] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let record = try? JSONDecoder().decode(RunRecord.self, from: Data(line)), record.key == key else { return nil }
            records.append(record)
        }
        return records.isEmpty ? nil : records
    }

    /// Adds the newly scored `records` to the run's file at `path`, one record an observation:
    /// a new score replaces the file's score of the same observation. Two sweeps that ran the
    /// same run at once would otherwise leave each observation twice, and the report would
    /// count it twice.
    public static func add(_ records: [RunRecord], to path: String, key: RunKey) throws {
        let scored = Set(records.map(\.observation))
        let kept = (read(path, key: key) ?? []).filter { !scored.contains($0.observation) }
        try write(kept + records, to: path)
    }

    /// Writes `records` in the order of their observations, replacing the file in one step.
    public static func write(_ records: [RunRecord], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var text = Data()
        for record in records.sorted(by: { $0.observation < $1.observation }) {
            text += try encoder.encode(record) + Data("\n".utf8)
        }
        try AtomicFile.write(text, to: path)
    }
}
