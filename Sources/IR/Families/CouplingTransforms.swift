import Foundation

/// The element-wise bijection of a coupling flow's layers: how many parameters it takes per
/// transformed coordinate, and the map in both directions. A zero parameter vector is the
/// identity (the conditioners' output layers start at zero).
public protocol CouplingTransform: Hashable, Sendable {
    /// The flow family's name in the spec language.
    static var name: String { get }
    /// The transform's own settings, beside the flow's `transforms` and `hidden`.
    static var options: [FamilyOption] { get }
    init(options: [String: Int])
    var settings: [String: Int] { get }
    var parametersPerCoordinate: Int { get }
    /// y = f(x) and log f′(x), both [batch, count], for x [batch, count] and the conditioner's
    /// output `parameters` [batch, parametersPerCoordinate · count]: the density's direction.
    func forward(_ b: inout Builder, _ x: Int, parameters: Int, count: Int) throws -> (y: Int, logDerivative: Int)
    /// x = f⁻¹(y): the sample's direction.
    func inverse(_ b: inout Builder, _ y: Int, parameters: Int, count: Int) throws -> Int
}

/// y = x · eᵃ + t with a = 2 tanh(r / 2): the log-scale is bounded to (−2, 2) per layer,
/// so that no step of training can make a layer blow up or collapse, and near zero it is r.
/// Parameters: the shifts t of every coordinate, then the raw log-scales r.
public struct AffineCoupling: CouplingTransform {
    public static let name = "affine_flow"
    public static let options: [FamilyOption] = []
    public init(options: [String: Int] = [:]) {}
    public var settings: [String: Int] { [:] }
    public var parametersPerCoordinate: Int { 2 }

    private func shiftAndLogScale(_ b: inout Builder, _ parameters: Int, _ count: Int) throws -> (Int, Int) {
        let shift = try b.add(.slice(start: 0, count: count), [parameters])
        let raw = try b.add(.slice(start: count, count: count), [parameters])
        return (shift, try b.mul(b.unary(.tanh, b.mul(raw, constant: 0.5)), constant: 2))
    }

    public func forward(_ b: inout Builder, _ x: Int, parameters: Int, count: Int) throws -> (y: Int, logDerivative: Int) {
        let (shift, logScale) = try shiftAndLogScale(&b, parameters, count)
        return (try b.add(b.mul(x, b.unary(.exp, logScale)), shift), logScale)
    }

    public func inverse(_ b: inout Builder, _ y: Int, parameters: Int, count: Int) throws -> Int {
        let (shift, logScale) = try shiftAndLogScale(&b, parameters, count)
        return try b.mul(b.sub(y, shift), b.unary(.exp, b.unary(.neg, logScale)))
    }
}

/// A monotone rational-quadratic spline on [−B, B] with K bins (Durkan et al. 2019, "Neural
/// Spline Flows", as nflows and sbi implement it), the identity outside, with B = 3 as sbi's
/// default: the flow's Gaussian has standardized the coordinates first.
///
/// Parameters, bin-major so that each bin's values for every coordinate are one slice: K raw
/// widths, K raw heights, then K − 1 raw derivatives at the inner knots. Widths are a softmax
/// of the raw widths, floored at 2⁻¹⁰ of the interval (likewise heights); the knots are their
/// cumulative sums. Inner derivatives are 10⁻³ + softplus(raw + c) with c chosen so that raw
/// 0 gives 1; the derivatives at ±B are 1, so the spline meets the identity tails smoothly.
/// Raw zeros give equal bins and unit derivatives: the identity.
///
/// The bin of each coordinate is a one-hot vector of `less` steps against the knots, and
/// each bin's quantity is selected by Σ_k 1[k] · q_k. The steps have no gradient, and need
/// none: the spline and its derivative are continuous across knots.
public struct RationalQuadraticSpline: CouplingTransform {
    public static let name = "spline_flow"
    /// Two bins at least: one bin of fixed end derivatives 1 is the identity.
    public static let options = [FamilyOption("bins", 2...64)]
    public static let tailBound: Float = 3
    /// nflows' 10⁻³, rounded to 2⁻¹⁰ so that every constant of the knots' positions is exact
    /// in float32.
    static let minimumBinSize: Float = 0x1p-10
    static let minimumDerivative: Float = 1e-3
    /// Raw widths and heights are clamped to ±30 before their exponential, which then needs no
    /// maximum subtracted (a maximum has no derivative): bins e⁶⁰ apart are beyond the floor anyway.
    static let rawBound: Float = 30

    public let bins: Int
    public init(options: [String: Int]) { bins = options["bins"] ?? 2 }
    public init(bins: Int) { self.bins = bins }
    public var settings: [String: Int] { ["bins": bins] }
    public var parametersPerCoordinate: Int { 3 * bins - 1 }

    /// The quantities of every bin k, each [batch, count] (or a scalar where it is a constant):
    /// the knots' positions (K + 1 of them, from −B to B) and the bins' sizes, for x and for y,
    /// and the derivatives at the K + 1 knots.
    private struct Knots {
        var x: [Int], width: [Int], y: [Int], height: [Int], derivative: [Int]
    }

    private func knots(_ b: inout Builder, _ parameters: Int, _ count: Int) throws -> Knots {
        func raw(_ block: Int, _ k: Int) throws -> Int {
            try b.add(.slice(start: (block * bins + k) * count, count: count), [parameters])
        }
        let bound = Self.tailBound, floor = Self.minimumBinSize
        func positions(_ block: Int) throws -> (knots: [Int], sizes: [Int]) {
            var cumulative: [Int] = []
            for k in 0..<bins {
                let e = try b.unary(.exp, b.unary(.clamp(low: -Self.rawBound, high: Self.rawBound), raw(block, k)))
                cumulative.append(try cumulative.last.map { try b.add($0, e) } ?? e)
            }
            let inverseTotal = try b.binary(.div, b.constant(1), cumulative.last!)
            // x_k = −B + 2B · (floor · k + (1 − floor · K) · C_{k−1} / C_{K−1}).
            var knots = [try b.constant(-bound)]
            for k in 1..<bins {
                let fraction = try b.mul(cumulative[k - 1], inverseTotal)
                knots.append(try b.add(b.mul(fraction, constant: 2 * bound * (1 - floor * Float(bins))),
                                       constant: -bound + 2 * bound * floor * Float(k)))
            }
            knots.append(try b.constant(bound))
            let sizes = try (0..<bins).map { try b.sub(knots[$0 + 1], knots[$0]) }
            return (knots, sizes)
        }
        let (x, width) = try positions(0)
        let (y, height) = try positions(1)
        let one = try b.constant(1)
        let shift = Float(log(expm1(1 - Double(Self.minimumDerivative))))
        let inner = try (1..<bins).map { k in
            try b.add(b.unary(.softplus, b.add(raw(2, k - 1), constant: shift)), constant: Self.minimumDerivative)
        }
        return Knots(x: x, width: width, y: y, height: height, derivative: [one] + inner + [one])
    }

    /// The one-hot bin of each element of `v` (clamped to [−B, B]) among `knots`: [K] indicators.
    /// The first and last bins take everything below and above the inner knots.
    private func bin(_ b: inout Builder, _ v: Int, _ knots: [Int]) throws -> [Int] {
        let below = try (1..<bins).map { try b.binary(.less, v, knots[$0]) }
        var indicators = [below[0]]
        for k in 1..<(bins - 1) { indicators.append(try b.sub(below[k], below[k - 1])) }
        indicators.append(try b.sub(b.constant(1), below[bins - 2]))
        return indicators
    }

    private func select(_ b: inout Builder, _ indicators: [Int], _ values: some Collection<Int>) throws -> Int {
        var total: Int?
        for (indicator, value) in zip(indicators, values) {
            let term = try b.mul(indicator, value)
            total = try total.map { try b.add($0, term) } ?? term
        }
        return total!
    }

    /// 1 where −B < v < B: the spline's part; elsewhere the identity.
    private func inside(_ b: inout Builder, _ v: Int) throws -> Int {
        try b.mul(b.binary(.less, b.constant(-Self.tailBound), v), b.binary(.less, v, b.constant(Self.tailBound)))
    }

    /// The selected bin's quantities for `v` located among `knots`.
    private struct Bin {
        var x: Int, width: Int, y: Int, height: Int, slope: Int, left: Int, right: Int
    }

    private func locate(_ b: inout Builder, _ v: Int, among knots: [Int], _ k: Knots) throws -> Bin {
        let indicators = try bin(&b, v, knots)
        let (x, width) = try (select(&b, indicators, k.x), select(&b, indicators, k.width))
        let (y, height) = try (select(&b, indicators, k.y), select(&b, indicators, k.height))
        return Bin(x: x, width: width, y: y, height: height, slope: try b.binary(.div, height, width),
                   left: try select(&b, indicators, k.derivative.dropLast()), right: try select(&b, indicators, k.derivative.dropFirst()))
    }

    /// With ξ = (x − x_k) / w_k, s = h_k / w_k and ξ(1 − ξ) = τ:
    /// y = y_k + h_k (s ξ² + d_k τ) / (s + (d_k + d_{k+1} − 2s) τ),
    /// y′ = s² (d_{k+1} ξ² + 2 s τ + d_k (1 − ξ)²) / (s + (d_k + d_{k+1} − 2s) τ)².
    public func forward(_ b: inout Builder, _ x: Int, parameters: Int, count: Int) throws -> (y: Int, logDerivative: Int) {
        let k = try knots(&b, parameters, count)
        let v = try b.unary(.clamp(low: -Self.tailBound, high: Self.tailBound), x)
        let bin = try locate(&b, v, among: k.x, k)
        let xi = try b.binary(.div, b.sub(v, bin.x), bin.width)
        let complement = try b.sub(b.constant(1), xi)
        let tau = try b.mul(xi, complement)
        let xiSquared = try b.unary(.square, xi)
        let curvature = try b.sub(b.add(bin.left, bin.right), b.mul(bin.slope, constant: 2))
        let denominator = try b.add(bin.slope, b.mul(curvature, tau))
        let numerator = try b.mul(bin.height, b.add(b.mul(bin.slope, xiSquared), b.mul(bin.left, tau)))
        let spline = try b.add(bin.y, b.binary(.div, numerator, denominator))
        let derivative = try b.mul(b.unary(.square, bin.slope),
                                   b.add(b.add(b.mul(bin.right, xiSquared), b.mul(b.mul(bin.slope, tau), constant: 2)),
                                         b.mul(bin.left, b.unary(.square, complement))))
        let logDerivative = try b.sub(b.unary(.log, derivative), b.mul(b.unary(.log, denominator), constant: 2))
        let mask = try inside(&b, x)
        return (try b.add(x, b.mul(mask, b.sub(spline, x))), try b.mul(mask, logDerivative))
    }

    /// The root in [0, 1] of the quadratic in ξ that y = f(x) is within its bin, in the form
    /// ξ = 2c / (−b − √(b² − 4ac)) that stays accurate where a is near zero:
    /// a = h_k (s − d_k) + Δ g, b = h_k d_k − Δ g, c = −s Δ, with Δ = y − y_k and
    /// g = d_k + d_{k+1} − 2s.
    public func inverse(_ b: inout Builder, _ y: Int, parameters: Int, count: Int) throws -> Int {
        let k = try knots(&b, parameters, count)
        let v = try b.unary(.clamp(low: -Self.tailBound, high: Self.tailBound), y)
        let bin = try locate(&b, v, among: k.y, k)
        let delta = try b.sub(v, bin.y)
        let curvature = try b.mul(delta, b.sub(b.add(bin.left, bin.right), b.mul(bin.slope, constant: 2)))
        let qa = try b.add(b.mul(bin.height, b.sub(bin.slope, bin.left)), curvature)
        let qb = try b.sub(b.mul(bin.height, bin.left), curvature)
        let qc = try b.unary(.neg, b.mul(bin.slope, delta))
        // The discriminant is positive for a monotone spline; the clamp only absorbs rounding.
        let discriminant = try b.unary(.clamp(low: 0, high: .greatestFiniteMagnitude),
                                       b.sub(b.unary(.square, qb), b.mul(b.mul(qa, qc), constant: 4)))
        let xi = try b.binary(.div, b.mul(qc, constant: 2), b.sub(b.unary(.neg, qb), b.unary(.sqrt, discriminant)))
        let x = try b.add(b.mul(xi, bin.width), bin.x)
        return try b.add(y, b.mul(inside(&b, y), b.sub(x, y)))
    }
}
