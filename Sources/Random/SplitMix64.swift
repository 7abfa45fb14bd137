/// SplitMix64 (Steele, Lea & Flood 2014): a 64-bit generator whose output function is a
/// strong bijective mixer. Used only to expand seeds into xoshiro state and to derive keys,
/// never as the main generator.
struct SplitMix64 {
    private var state: UInt64

    init(state: UInt64) { self.state = state }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.finalize(state)
    }

    /// The SplitMix64 output mixer (a bijection on UInt64), also used to derive stream keys.
    static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Combines a key with a value so that, for a fixed key, distinct values give distinct
    /// results (both steps are bijections), with no visible structure between neighbours.
    static func combine(_ key: UInt64, _ value: UInt64) -> UInt64 {
        finalize(key ^ finalize(value &+ 0x9E37_79B9_7F4A_7C15))
    }
}

/// FNV-1a, 64-bit. Stream names are hashed with it rather than with Swift's `Hasher`,
/// which is randomly seeded per process and would make runs irreproducible.
func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01B3
    }
    return hash
}
