/// The 32-bit Mersenne Twister (Matsumoto & Nishimura 1998), seeded with `init_genrand`
/// as numpy's `RandomState(seed)` does for an integer seed. It exists to regenerate
/// constants that sbibm drew from numpy's legacy generator; sbic's own randomness comes
/// from `RandomStream`.
public struct MT19937: Sendable {
    private static let n = 624
    private static let m = 397
    private var state: [UInt32]
    private var position: Int

    public init(seed: UInt32) {
        var state = [UInt32](repeating: 0, count: MT19937.n)
        state[0] = seed
        for i in 1..<MT19937.n {
            let previous = state[i - 1]
            state[i] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(i)
        }
        self.state = state
        self.position = MT19937.n
    }

    /// The next tempered 32-bit output.
    public mutating func next() -> UInt32 {
        if position >= MT19937.n { regenerate() }
        var y = state[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func regenerate() {
        let n = MT19937.n
        let m = MT19937.m
        for i in 0..<n {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % n] & 0x7FFF_FFFF)
            var value = state[(i + m) % n] ^ (y >> 1)
            if y & 1 != 0 { value ^= 0x9908_B0DF }
            state[i] = value
        }
        position = 0
    }
}
