import Foundation

/// A conditional normalizing flow: x = μ + σ ⊙ g(ε), ε ~ N(0, I), where g inverts a stack of
/// coupling layers and μ, σ are a diagonal Gaussian's heads (so that with the coupling layers
/// at the identity, as they start, the flow is that Gaussian, and the layers shape the
/// distribution in coordinates the Gaussian has standardized).
///
/// Coupling layer l keeps half of the coordinates and transforms the other half element-wise
/// (`Transform`), with parameters that a small network, the layer's conditioner, computes from
/// the kept half and from the network's context (a third head). The halves alternate: even
/// layers keep the first ⌊d/2⌋ coordinates, odd layers the last ⌊d/2⌋ (the reversal
/// permutation between layers). A variable of size 1 has nothing to keep: each layer's
/// transform then depends on the context alone.
///
/// The density runs the layers from data to noise, u = f_L ∘ … ∘ f_1((x − μ) / σ), and is
/// N(u; 0, I) · Π |det ∂f_l| / Π σ; a sample runs the inverses from noise to data. Both are a
/// differentiable function of the heads and the noise, so a flow is reparameterized; its KL
/// divergences have no closed form.
public struct CouplingFlow<Transform: CouplingTransform>: DistributionFamily {
    public static var name: String { Transform.name }
    /// Each layer costs its conditioner and tens of element-wise ops per loss and per sample.
    public static var options: [FamilyOption] {
        [FamilyOption("transforms", 1...16)] + Transform.options + [FamilyOption("hidden", 1...1024)]
    }
    /// Coupling layers.
    public let transforms: Int
    /// The context's width and the width of each conditioner's two hidden layers.
    public let hidden: Int
    public let transform: Transform

    public init(options: [String: Int]) {
        transforms = options["transforms"] ?? 1
        hidden = options["hidden"] ?? 1
        transform = Transform(options: options)
    }

    public var settings: [String: Int] { transform.settings.merging(["transforms": transforms, "hidden": hidden]) { a, _ in a } }

    public var capabilities: FamilyCapabilities { [.learned, .samplesTarget, .reparameterized] }

    /// μ, log σ² (clamped like a Gaussian's) and the context the conditioners read.
    public func heads(size: Int) -> [Head] {
        [Head("mean", width: size), Head("log_variance", width: size, .logVariance), Head("context", width: hidden)]
    }

    public func noise(size: Int) -> [NoiseSource] { [NoiseSource(.normal, width: size)] }

    /// Layer l's conditioner, named `flow.l.…`: relu(kept · K + context · C + b₀), a second
    /// ReLU layer, and an output layer to the transform's parameters. K and C are the two
    /// blocks of one dense layer over [kept, context] (Kaiming-normal with that fan-in), kept
    /// apart so that a sample computes the context's part once per observation. The output
    /// layer starts at zero, which every transform reads as the identity.
    public func ownParameters(size: Int) -> [FamilyParameter] {
        (0..<transforms).flatMap { layer -> [FamilyParameter] in
            let (kept, moved) = Self.split(layer: layer, size: size)
            let fanIn = kept.count + hidden
            let prefix = "flow.\(layer)."
            let width = transform.parametersPerCoordinate * moved.count
            return (kept.isEmpty ? [] : [FamilyParameter(prefix + "kept.weight", [kept.count, hidden], .kaimingNormal(fanIn: fanIn))])
                + [FamilyParameter(prefix + "context.weight", [hidden, hidden], .kaimingNormal(fanIn: fanIn)),
                   FamilyParameter(prefix + "layer0.bias", [hidden], .zeros),
                   FamilyParameter(prefix + "layer1.weight", [hidden, hidden], .kaimingNormal(fanIn: hidden)),
                   FamilyParameter(prefix + "layer1.bias", [hidden], .zeros),
                   FamilyParameter(prefix + "out.weight", [hidden, width], .zeros),
                   FamilyParameter(prefix + "out.bias", [width], .zeros)]
        }
    }

    /// The columns layer `layer` keeps and those it transforms.
    static func split(layer: Int, size: Int) -> (kept: [Int], moved: [Int]) {
        let order = layer % 2 == 0 ? Array(0..<size) : Array((0..<size).reversed())
        return (Array(order[..<(size / 2)]), Array(order[(size / 2)...]))
    }

    /// μ + σ ⊙ g(ε): the layers' inverses from the last to the first, then the Gaussian's scale
    /// and shift. What depends on the observation alone (the context's part of each
    /// conditioner; all of it for a variable of size 1) is computed before it meets the batch.
    public func sample(_ b: inout Builder, heads: [Int], noise: [Int], size: Int, context: SamplingContext) throws -> Int {
        let weights = parameters(heads, size: size)
        var z = noise[0]
        for layer in (0..<transforms).reversed() {
            let (kept, moved) = Self.split(layer: layer, size: size)
            let keptValue = kept.isEmpty ? nil : try columns(&b, kept.map { (z, $0) })
            let theta = try conditioner(&b, layer, kept: keptValue, context: heads[2], weights: weights, toBatch: context.toBatch)
            let y = try transform.inverse(&b, columns(&b, moved.map { (z, $0) }), parameters: theta, count: moved.count)
            z = try assemble(&b, kept: kept, moved: moved, keptFrom: z, movedFrom: y, size: size)
        }
        let deviation = try context.toBatch(&b, b.unary(.exp, b.mul(heads[1], constant: 0.5)))
        return try b.add(context.toBatch(&b, heads[0]), b.mul(deviation, z))
    }

    /// ½ Σ_d [u² + log 2π + log σ²] − Σ_l log |det ∂f_l|, u = f_L ∘ … ∘ f_1((x − μ) / σ).
    public func negativeLogDensity(_ b: inout Builder, of x: Int, heads: [Int], size: Int) throws -> Int {
        let weights = parameters(heads, size: size)
        let (mean, logVariance) = (heads[0], heads[1])
        var z = try b.mul(b.sub(x, mean), b.unary(.exp, b.mul(logVariance, constant: -0.5)))
        var logDeterminant: Int?
        for layer in 0..<transforms {
            let (kept, moved) = Self.split(layer: layer, size: size)
            let keptValue = kept.isEmpty ? nil : try columns(&b, kept.map { (z, $0) })
            let theta = try conditioner(&b, layer, kept: keptValue, context: heads[2], weights: weights) { _, x in x }
            let (y, logDerivative) = try transform.forward(&b, columns(&b, moved.map { (z, $0) }), parameters: theta,
                                                           count: moved.count)
            let term = try b.add(.sum(axis: 1), [logDerivative])
            logDeterminant = try logDeterminant.map { try b.add($0, term) } ?? term
            z = try assemble(&b, kept: kept, moved: moved, keptFrom: z, movedFrom: y, size: size)
        }
        let terms = try b.add(b.add(b.unary(.square, z), logVariance), constant: Float(log(2 * Double.pi)))
        let gaussian = try b.mul(b.add(.sum(axis: 1), [terms]), constant: 0.5)
        return try b.sub(gaussian, logDeterminant!)
    }

    /// No closed form.
    public func kl(_ b: inout Builder, heads: [Int], against p: any DistributionFamily, heads pHeads: [Int],
                   size: Int) throws -> Int? { nil }

    /// The own parameters' nodes by name (they follow the three heads).
    private func parameters(_ heads: [Int], size: Int) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: zip(ownParameters(size: size).map(\.name), heads.dropFirst(3)))
    }

    /// Layer `layer`'s transform parameters, [batch, parametersPerCoordinate · moved]. The
    /// context's part is computed on the context's rows and brought to the batch where it
    /// meets the kept coordinates (or, with none, at the end).
    private func conditioner(_ b: inout Builder, _ layer: Int, kept: Int?, context: Int, weights: [String: Int],
                             toBatch: (inout Builder, Int) throws -> Int) throws -> Int {
        let prefix = "flow.\(layer)."
        func w(_ name: String) -> Int { weights[prefix + name]! }
        func product(_ b: inout Builder, _ x: Int, _ weight: String) throws -> Int {
            try b.add(.matmul(transposeA: false, transposeB: false), [x, w(weight)])
        }
        func dense(_ b: inout Builder, _ x: Int, _ weight: String, _ bias: String) throws -> Int {
            try b.add(.addBias, [product(&b, x, weight), w(bias)])
        }
        var pre = try dense(&b, context, "context.weight", "layer0.bias")
        if let kept { pre = try b.add(toBatch(&b, pre), product(&b, kept, "kept.weight")) }
        let relu = UnaryOp.leakyReLU(slope: 0)
        let h = try b.unary(relu, dense(&b, b.unary(relu, pre), "layer1.weight", "layer1.bias"))
        let out = try dense(&b, h, "out.weight", "out.bias")
        return kept == nil ? try toBatch(&b, out) : out
    }

    /// The columns `picks` (node, column) side by side; runs of adjacent columns of one node
    /// are one slice.
    private func columns(_ b: inout Builder, _ picks: [(node: Int, column: Int)]) throws -> Int {
        var parts: [Int] = []
        var start = 0
        while start < picks.count {
            var end = start + 1
            while end < picks.count, picks[end].node == picks[start].node, picks[end].column == picks[end - 1].column + 1 { end += 1 }
            let (node, column, count) = (picks[start].node, picks[start].column, end - start)
            parts.append(column == 0 && count == b.shape(node).dims[1] ? node : try b.add(.slice(start: column, count: count), [node]))
            start = end
        }
        return parts.count == 1 ? parts[0] : try b.add(.concat, parts)
    }

    /// The layer's output in the variable's column order: kept columns from `keptFrom`, the
    /// transformed ones from `movedFrom` (whose column i is coordinate moved[i]).
    private func assemble(_ b: inout Builder, kept: [Int], moved: [Int], keptFrom: Int, movedFrom: Int, size: Int) throws -> Int {
        let picks = (0..<size).map { d -> (node: Int, column: Int) in
            if let i = moved.firstIndex(of: d) { return (movedFrom, i) }
            return (keptFrom, d)
        }
        return try columns(&b, picks)
    }
}

/// A coupling flow of rational-quadratic splines, neural spline flows' default.
public typealias SplineFlow = CouplingFlow<RationalQuadraticSpline>
/// A coupling flow of affine maps (RealNVP's).
public typealias AffineFlow = CouplingFlow<AffineCoupling>
