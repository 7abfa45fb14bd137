/// A named vector of `size` real numbers. Whether it is data or latent depends on the
/// sampling section: see `ModelSpec.isLatent(_:)`.
public struct Variable: Equatable, Sendable {
    public var name: String
    public var size: Int

    public init(name: String, size: Int) {
        self.name = name
        self.size = size
    }
}
