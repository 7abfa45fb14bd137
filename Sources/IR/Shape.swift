/// The static shape of a float32 tensor. The batch size is part of the shape, so every
/// program is compiled for one batch size and nothing is resolved at run time.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
    public var dims: [Int]

    public init(_ dims: [Int]) { self.dims = dims }
    public static let scalar = Shape([])

    public var rank: Int { dims.count }
    public var isScalar: Bool { dims.isEmpty }

    /// Element count, saturating at `Int.max` so that absurd specs are reported, not trapped on.
    public var count: Int { dims.reduce(1, saturatingMultiply) }

    /// Whether every dimension holds at least one element. Kernels divide by dimensions and
    /// allocate from them, so a zero or negative one read from a file must stop at the verifier.
    public var hasPositiveDimensions: Bool { dims.allSatisfy { $0 > 0 } }

    /// The shape with `axis` removed (what a reduction over `axis` leaves).
    public func removing(axis: Int) -> Shape {
        var d = dims
        d.remove(at: axis)
        return Shape(d)
    }

    public var description: String { "f32[" + dims.map(String.init).joined(separator: ",") + "]" }
}

extension Shape: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Int...) { self.init(elements) }
}
