import Datasets
import Foundation

/// Where a model's training data came from, as `model.json` records it (`data`): a built-in
/// simulator and its seed, the user's files with their content's SHA-256, or arrays passed
/// through the C interface with the SHA-256 of their bytes; and how many simulations there
/// were. `--resume` compares it with the data it is given.
public struct DataProvenance: Codable, Equatable, Sendable {
    public enum Source: String, Codable, Sendable {
        case simulator, files, arrays
    }

    /// One of θ and y: a file as it was named and its absolute path, or neither for arrays;
    /// the SHA-256 of the file's content, or of an array's bytes (row-major float64,
    /// little-endian: numpy's `np.ascontiguousarray(a, "<f8").tobytes()`).
    public struct Content: Codable, Equatable, Sendable {
        public var name: String?
        public var path: String?
        public var sha256: String

        public init(name: String? = nil, path: String? = nil, sha256: String) {
            self.name = name; self.path = path; self.sha256 = sha256
        }
    }

    public var source: Source
    /// The built-in simulator and the seed of its simulations.
    public var task: String?
    public var seed: UInt64?
    public var theta: Content?
    public var y: Content?
    /// Simulations given, and how many of them were dropped for holding NaN or ±∞.
    public var simulations: Int
    public var dropped: Int

    public init(source: Source, task: String? = nil, seed: UInt64? = nil, theta: Content? = nil, y: Content? = nil,
                simulations: Int, dropped: Int) {
        self.source = source; self.task = task; self.seed = seed; self.theta = theta; self.y = y
        self.simulations = simulations; self.dropped = dropped
    }

    public static func simulator(_ task: String, seed: UInt64, simulations: Int) -> DataProvenance {
        DataProvenance(source: .simulator, task: task, seed: seed, simulations: simulations, dropped: 0)
    }

    /// The files `theta` and `y`, named as given, hashed as they are now.
    public static func files(theta: String, y: String, simulations: Int) throws -> DataProvenance {
        func content(_ name: String) throws -> Content {
            let url = URL(fileURLWithPath: name).standardizedFileURL
            return Content(name: name, path: url.path, sha256: SHA256.hex(try readFile(name)))
        }
        return DataProvenance(source: .files, theta: try content(theta), y: try content(y), simulations: simulations, dropped: 0)
    }

    /// Arrays of float64 values, hashed as the bytes given.
    public static func arrays(theta: UnsafeBufferPointer<Double>, y: UnsafeBufferPointer<Double>, simulations: Int) -> DataProvenance {
        func content(_ values: UnsafeBufferPointer<Double>) -> Content {
            let bytes = values.map(\.bitPattern.littleEndian).withUnsafeBytes { Data($0) }
            return Content(sha256: SHA256.hex(bytes))
        }
        return DataProvenance(source: .arrays, theta: content(theta), y: content(y), simulations: simulations, dropped: 0)
    }

    /// One line: "10000 simulations of two_moons (seed 1)", "data/theta.npy (sha256 1a2b3c4d…),
    /// data/y.npy (sha256 …): 10000 simulations", "arrays passed through the C API …".
    public var description: String {
        let count = "\(simulations) simulation\(simulations == 1 ? "" : "s")"
        let dropped = self.dropped > 0 ? ", \(self.dropped) dropped as non-finite" : ""
        func hash(_ content: Content?) -> String { "sha256 " + (content?.sha256.prefix(12) ?? "?") + "…" }
        switch source {
        case .simulator:
            return "\(count) of \(task ?? "?") (seed \(seed.map(String.init) ?? "?"))\(dropped)"
        case .files:
            return "\(theta?.name ?? "?") (\(hash(theta))), \(y?.name ?? "?") (\(hash(y))): \(count)\(dropped)"
        case .arrays:
            return "arrays passed through the C API (θ \(hash(theta)), y \(hash(y))): \(count)\(dropped)"
        }
    }

    /// The first way in which these data differ from `recorded`, as a field of model.json's
    /// `data` and what differs; nil when they are the same data.
    public func difference(from recorded: DataProvenance) -> (field: String, reason: String)? {
        guard source == recorded.source else {
            return ("source", "the model was trained on \(recorded.description); this run's data are \(description)")
        }
        switch source {
        case .simulator:
            if task != recorded.task { return ("task", "the model's simulations are of \(recorded.task ?? "?"), this run's of \(task ?? "?")") }
            if seed != recorded.seed {
                return ("seed", "the model's simulations have seed \(recorded.seed.map(String.init) ?? "?"), this run's \(seed.map(String.init) ?? "?")")
            }
            if simulations != recorded.simulations {
                return ("simulations", "the model was trained on \(recorded.simulations) simulations, this run has \(simulations)")
            }
        case .files, .arrays:
            for (field, ours, theirs) in [("theta", theta, recorded.theta), ("y", y, recorded.y)] where ours?.sha256 != theirs?.sha256 {
                let named = ours?.name.map { "\($0) holds" } ?? "this run's \(field) is"
                return ("\(field).sha256", "\(named) other data than the model was trained on "
                        + "(\(theirs?.name ?? "arrays"), sha256 \(theirs?.sha256 ?? "?"))")
            }
        }
        return nil
    }
}
