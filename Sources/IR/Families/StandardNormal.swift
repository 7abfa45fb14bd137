import Foundation

/// The fixed N(0, I): no inputs, no layers, no heads. Its sample is the noise itself.
public struct StandardNormal: DistributionFamily {
    public static let name = "standard_normal"
    public static let options: [FamilyOption] = []
    public init(options: [String: Int] = [:]) {}
    public var settings: [String: Int] { [:] }

    public var capabilities: FamilyCapabilities { [.klPrior, .reparameterized] }

    public func heads(size: Int) -> [Head] { [] }

    public func noise(size: Int) -> [NoiseSource] { [NoiseSource(.normal, width: size)] }

    public func sample(_ b: inout Builder, heads: [Int], noise: [Int], size: Int, context: SamplingContext) throws -> Int {
        noise[0]
    }

    /// ½ Σ_d [x² + log 2π]. No loss term reads it today (the family has nothing to fit), but
    /// it is the density a Monte-Carlo KL against N(0, I) needs.
    public func negativeLogDensity(_ b: inout Builder, of x: Int, heads: [Int], size: Int) throws -> Int {
        let terms = try b.add(b.unary(.square, x), constant: Float(log(2 * Double.pi)))
        return try b.mul(b.add(.sum(axis: 1), [terms]), constant: 0.5)
    }

    /// Never a KL posterior.
    public func kl(_ b: inout Builder, heads: [Int], against p: any DistributionFamily, heads pHeads: [Int],
                   size: Int) throws -> Int? { nil }
}
