import Foundation

/// A family of output distributions: what a network must output to parameterize one, how a
/// sample is drawn from it in the graph and from which noise, its negative log-density, its KL
/// divergence against another family where a closed form exists, and what it can be used for.
///
/// The spec language names families by `name` and reads their `options`; the checker asks
/// `capabilities`, never which family a network has; lowering builds heads, samples, NLL and
/// KL terms through these requirements; the trainer and the sampler draw the noise each input
/// declares (`NoiseDistribution`). Adding a family is one conforming type in its own file and
/// its line in `DistributionFamilies.all`.
public protocol DistributionFamily: Hashable, Sendable {
    /// How a spec names the family: `{"theta": "gaussian"}`.
    static var name: String { get }
    /// The integer settings a spec gives beside the name, as in
    /// `{"theta": {"family": "mixture", "components": 5}}`; every one is required.
    static var options: [FamilyOption] { get }
    /// The family with these settings, each within its option's range (the spec decoder
    /// checks them before calling).
    init(options: [String: Int])
    /// The settings, keyed like `options`.
    var settings: [String: Int] { get }

    var capabilities: FamilyCapabilities { get }

    /// The affine heads a network ends in, for a variable of `size`, in order.
    func heads(size: Int) -> [Head]
    /// The noise inputs one batch of samples of a variable of `size` reads, in order.
    func noise(size: Int) -> [NoiseSource]
    /// The trainable tensors the family owns beside its heads, for a variable of `size` (a
    /// flow's coupling networks); none by default. `sample` and `negativeLogDensity` find
    /// their values after the heads' values, in this order.
    func ownParameters(size: Int) -> [FamilyParameter]

    /// A batch of samples, [batch, size], from the head values (`heads`, in the order of
    /// `heads(size:)`, then the family's own parameters) and the noise inputs (in the order of
    /// `noise(size:)`). Head values may have one row where they depend on the observation
    /// alone; `context.toBatch` repeats such a value to the batch, and a family calls it as
    /// late as it can, so that what it computes from the heads alone is computed once.
    func sample(_ b: inout Builder, heads: [Int], noise: [Int], size: Int, context: SamplingContext) throws -> Int

    /// −log p(x) for each row of `x`, [batch], including every normalizing constant.
    func negativeLogDensity(_ b: inout Builder, of x: Int, heads: [Int], size: Int) throws -> Int

    /// KL(self ‖ p) for each row, [batch], where a closed form exists; nil where it does not.
    /// Called only for families with `klPosterior`, against families with `klPrior`.
    func kl(_ b: inout Builder, heads: [Int], against p: any DistributionFamily, heads pHeads: [Int], size: Int) throws -> Int?
}

extension DistributionFamily {
    public var name: String { Self.name }
    public func ownParameters(size: Int) -> [FamilyParameter] { [] }
}

/// Every family the spec language knows, in the order its documentation lists them.
public enum DistributionFamilies {
    public static let all: [any DistributionFamily.Type] = [DiagonalGaussian.self, StandardNormal.self, GaussianMixture.self,
                                                            SplineFlow.self, AffineFlow.self]

    public static func named(_ name: String) -> (any DistributionFamily.Type)? {
        all.first { $0.name == name }
    }

    /// What a family can do, read from its member with the smallest settings (capabilities do
    /// not depend on settings).
    public static func capabilities(of family: any DistributionFamily.Type) -> FamilyCapabilities {
        let smallest = Dictionary(uniqueKeysWithValues: family.options.map { ($0.name, $0.range.lowerBound) })
        return family.init(options: smallest).capabilities
    }

    /// The families with `capability`, as a message names them: "gaussian" or "a, b or c".
    public static func names(with capability: FamilyCapabilities) -> String {
        names { $0.contains(capability) }
    }

    /// The families whose capabilities satisfy `condition`, named as in `names(with:)`.
    public static func names(where condition: (FamilyCapabilities) -> Bool) -> String {
        let names = all.filter { condition(capabilities(of: $0)) }.map { $0.name }
        return names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
    }
}

/// An integer setting of a family, such as a mixture's number of components.
public struct FamilyOption: Hashable, Sendable {
    public let name: String
    public let range: ClosedRange<Int>
    public init(_ name: String, _ range: ClosedRange<Int>) { self.name = name; self.range = range }
}

/// What the checker and lowering may ask of a family; they ask these, never which family it
/// is, so a new family states its capabilities and the checks follow.
public struct FamilyCapabilities: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Computed from the network's inputs by its layers, and trained: it takes inputs, and
    /// a loss term must fit it. Without it, the family is fixed: no inputs, no layers.
    public static let learned = FamilyCapabilities(rawValue: 1 << 0)
    /// May end sample.path: it draws the target from what the network learned.
    public static let samplesTarget = FamilyCapabilities(rawValue: 1 << 1)
    /// KL(q ‖ p) has a closed form against every family with `klPrior` (KLDivergence.swift;
    /// without one, a learned reparameterized q gets a Monte-Carlo estimate).
    public static let klPosterior = FamilyCapabilities(rawValue: 1 << 2)
    /// Has the closed-form KL of every `klPosterior` family against it.
    public static let klPrior = FamilyCapabilities(rawValue: 1 << 3)
    /// Its sample is a differentiable function of its heads and the noise, so it may stand
    /// for a latent variable in training (the training source of that variable).
    public static let reparameterized = FamilyCapabilities(rawValue: 1 << 4)
}

/// One affine head of a network: `width` outputs, named `NETWORK.NAME.weight`/`.bias`.
public struct Head: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Unconstrained (a mean, a mixture's logits).
        case free
        /// A log-variance, clamped to the model's log-variance range so that exp stays finite.
        case logVariance
    }
    public let name: String
    public let width: Int
    public let kind: Kind
    public init(_ name: String, width: Int, _ kind: Kind = .free) { self.name = name; self.width = width; self.kind = kind }
}

/// A trainable tensor a family owns beside its heads, named `NETWORK.NAME` like the network's
/// layers: lowering creates it with them, so the optimizer, weight decay and clipping cover it.
public struct FamilyParameter: Hashable, Sendable {
    public let name: String
    public let shape: Shape
    public let initializer: Initializer
    public init(_ name: String, _ shape: Shape, _ initializer: Initializer) {
        self.name = name; self.shape = shape; self.initializer = initializer
    }
}

/// One noise input of a family's sample: `width` independent draws per sample.
public struct NoiseSource: Hashable, Sendable {
    public let distribution: NoiseDistribution
    public let width: Int
    public init(_ distribution: NoiseDistribution, width: Int) { self.distribution = distribution; self.width = width }
}

/// The distributions noise inputs are drawn from. The runtime reads which from the input's
/// name: `noise.<variable>` is standard normal (the spelling of every graph before there were
/// other kinds), `noise.<variable>.<distribution>` any other, one input per kind and variable.
public enum NoiseDistribution: String, CaseIterable, Sendable {
    /// N(0, 1).
    case normal
    /// U[0, 1).
    case uniform

    /// The input of this distribution for `variable`.
    public func input(for variable: String) -> String {
        self == .normal ? Interface.Inputs.noise(variable) : Interface.Inputs.noise(variable) + "." + rawValue
    }

    /// The distribution of noise input `name`; nil when `name` is not one.
    public init?(noiseInput name: String) {
        guard name.hasPrefix(Interface.Inputs.noisePrefix) else { return nil }
        let parts = name.dropFirst(Interface.Inputs.noisePrefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard let variable = parts.first, !variable.isEmpty else { return nil }
        switch parts.count {
        case 1: self = .normal
        case 2:
            guard let kind = NoiseDistribution(rawValue: String(parts[1])), kind != .normal else { return nil }
            self = kind
        default: return nil
        }
    }
}

/// What a family's sample may ask of the program it is lowered into.
public struct SamplingContext {
    /// Repeats a value of one row to the batch; leaves a batch's value as it is.
    public let toBatch: (inout Builder, Int) throws -> Int
    public init(toBatch: @escaping (inout Builder, Int) throws -> Int) { self.toBatch = toBatch }
}
