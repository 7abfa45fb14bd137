import Foundation

extension RandomStream {
    /// A uniform double in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform double in [low, high).
    @inline(__always)
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * uniform()
    }

    /// A uniform double in (0, 1]: safe to take the logarithm of.
    @inline(__always)
    mutating func uniformPositive() -> Double {
        1.0 - uniform()
    }

    /// A standard normal draw (ziggurat method; see `NormalZiggurat`).
    @inline(__always)
    public mutating func normal() -> Double {
        let tables = NormalZiggurat.tables
        while true {
            let bits = next()
            // The layer comes from the low 7 bits and the signed uniform from the top 53,
            // so the two are independent (the flaw Doornik found in the original method).
            let layer = Int(bits & 0x7F)
            let u = Double(Int64(bitPattern: bits) >> 11) * 0x1p-52
            if abs(u) < tables.ratio[layer] {
                return u * tables.x[layer]
            }
            if layer == 0 {
                return NormalZiggurat.tail(negative: u < 0, &self)
            }
            let x = u * tables.x[layer]
            let f0 = exp(-0.5 * (tables.x[layer] * tables.x[layer] - x * x))
            let f1 = exp(-0.5 * (tables.x[layer + 1] * tables.x[layer + 1] - x * x))
            if f1 + uniform() * (f0 - f1) < 1.0 {
                return x
            }
        }
    }

    /// A normal draw with the given mean and standard deviation.
    @inline(__always)
    public mutating func normal(mean: Double, std: Double) -> Double {
        mean + std * normal()
    }

    /// A standard exponential draw (rate 1), by inversion.
    @inline(__always)
    public mutating func exponential() -> Double {
        -log(uniformPositive())
    }

    /// A Gamma(shape, scale) draw (Marsaglia & Tsang 2000). Shapes below 1 use the boost
    /// Gamma(a) = Gamma(a + 1) · U^(1/a). A shape or scale that is not positive gives NaN.
    public mutating func gamma(shape: Double, scale: Double = 1) -> Double {
        guard shape > 0, scale > 0, shape.isFinite else { return .nan }
        if shape < 1 {
            return gamma(shape: shape + 1, scale: scale) * pow(uniformPositive(), 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1.0 / (9.0 * d).squareRoot()
        while true {
            let x = normal()
            let t = 1.0 + c * x
            guard t > 0 else { continue }
            let v = t * t * t
            let u = uniformPositive()
            let x2 = x * x
            if u < 1.0 - 0.0331 * x2 * x2 { return scale * d * v }
            if log(u) < 0.5 * x2 + d * (1.0 - v + log(v)) { return scale * d * v }
        }
    }

    /// Fills `buffer` with standard normal draws (noise tensors of the training loop).
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>) {
        for i in buffer.indices {
            buffer[i] = Float(normal())
        }
    }

    /// Fills `buffer` with uniform draws in [0, 1): 24 random bits each, so that every float
    /// is exact and none rounds up to 1.
    public mutating func fillUniform(_ buffer: UnsafeMutableBufferPointer<Float>) {
        for i in buffer.indices {
            buffer[i] = Float(next() >> 40) * 0x1p-24
        }
    }

    /// Fills `buffer` with standard normal draws.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Double>) {
        for i in buffer.indices {
            buffer[i] = normal()
        }
    }
}

/// Tables of the 128-layer normal ziggurat in Doornik's ZIGNOR form (Doornik 2005,
/// "An improved ziggurat method to generate normal random samples"). `x[i]` are the layer
/// edges of the unnormalised density exp(−x²/2), `ratio[i] = x[i+1] / x[i]`.
enum NormalZiggurat {
    static let layers = 128
    static let r = 3.442619855899
    static let v = 9.91256303526217e-3

    struct Tables: Sendable {
        let x: [Double]
        let ratio: [Double]
    }

    static let tables: Tables = {
        var x = [Double](repeating: 0, count: layers + 1)
        var f = exp(-0.5 * r * r)
        x[0] = v / f  // the base layer holds the tail: area v over a strip of height f(r)
        x[1] = r
        for i in 2..<layers {
            x[i] = (-2 * log(v / x[i - 1] + f)).squareRoot()
            f = exp(-0.5 * x[i] * x[i])
        }
        x[layers] = 0
        let ratio = (0..<layers).map { x[$0 + 1] / x[$0] }
        return Tables(x: x, ratio: ratio)
    }()

    /// A draw from the normal tail beyond `r` (Marsaglia 1964).
    static func tail(negative: Bool, _ rng: inout RandomStream) -> Double {
        var x: Double
        var y: Double
        repeat {
            x = log(rng.uniformPositive()) / r
            y = log(rng.uniformPositive())
        } while -2 * y < x * x
        return negative ? x - r : r - x
    }
}
