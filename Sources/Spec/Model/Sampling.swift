/// How posterior samples are drawn: starting from an observation of `given`, the
/// networks of `path` run in order, each sampling its output, until the last one
/// samples `target`.
public struct Sampling: Equatable, Sendable {
    public var given: String
    public var path: [String]
    public var target: String
    /// How many samples are drawn per batch.
    public var batchSize: Int

    public static let defaultBatchSize = 1000

    public init(given: String, path: [String], target: String, batchSize: Int = Sampling.defaultBatchSize) {
        self.given = given
        self.path = path
        self.target = target
        self.batchSize = batchSize
    }
}
