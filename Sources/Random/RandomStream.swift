/// The generator behind every random draw in sbic: xoshiro256** (Blackman & Vigna 2018),
/// seeded through SplitMix64.
///
/// A stream is identified by a 64-bit key derived from `(seed, name)`. Substreams are
/// derived from the key alone, not from the current state, so `substream(i)` gives the
/// same generator whether it is taken before or after any draws, on whichever thread.
/// Parallel work that takes substream `i` for item `i` is therefore reproducible for any
/// thread count.
public struct RandomStream: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64
    /// Identifies the stream; substreams are derived from it.
    public let key: UInt64

    /// A stream for one purpose of a run, e.g. `"simulate"`, `"split"`, `"init"`, `"noise"`
    /// or `"sample"`: streams with different names are independent for the same seed.
    public init(seed: UInt64, stream: String) {
        self.init(key: SplitMix64.combine(seed, stableHash(stream)))
    }

    /// The stream with the given key. The state is the first four SplitMix64 outputs from
    /// the key; consecutive SplitMix64 outputs are distinct, so the state is never all zero.
    public init(key: UInt64) {
        self.key = key
        var seeder = SplitMix64(state: key)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    /// The generator's whole state, the key first: what `init(state:)` continues from, so
    /// that a run saved and resumed draws what it would have drawn without stopping.
    public var state: [UInt64] { [key, s0, s1, s2, s3] }

    /// The stream whose `state` this was; nil unless there are five words and the generator's
    /// four are not all zero (a state xoshiro never reaches).
    public init?(state: [UInt64]) {
        guard state.count == 5, state[1...].contains(where: { $0 != 0 }) else { return nil }
        key = state[0]
        (s0, s1, s2, s3) = (state[1], state[2], state[3], state[4])
    }

    /// An independent stream for work item `index` (a simulation, a batch, a chain).
    public func substream(_ index: UInt64) -> RandomStream {
        RandomStream(key: SplitMix64.combine(key, index))
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    @inline(__always)
    private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
