import Foundation
import IR
import Interpreter
import Passes
import Random
import Runtime
import TestSupport
import XCTest

/// Bounded support around the Gaussian and the mixture against independent float64
/// computations: the change-of-variables density (which integrates to 1 over the box), the
/// samples (inside the box, and lo + (hi − lo)·σ(s) of the family's own sample), and
/// gradients against central differences.
final class BoundedSupportTests: XCTestCase {
    /// Two runs of components with one interval each: [-1, 1] twice, then [0, 5].
    static let box = Box(lower: [-1, -1, 0], upper: [1, 1, 5])

    /// −log p(x) by the change of variables, in float64: u clamped like the graph (the margin
    /// as float32 rounds it), s = logit u, −log p_s(s) + Σ log((hi − lo)·u(1 − u)).
    static func referenceNLL(x: [Double], box: Box, base: ([Double]) -> Double) -> Double {
        let margin = Double(BoundedSupport.margin), top = Double(1 - BoundedSupport.margin)
        var s: [Double] = [], jacobian = 0.0
        for i in x.indices {
            let width = box.upper[i] - box.lower[i]
            let u = min(max((x[i] - box.lower[i]) / width, margin), top)
            s.append(log(u / (1 - u)))
            jacobian += log(width * u * (1 - u))
        }
        return base(s) + jacobian
    }

    static func gaussianNLL(_ x: [Double], mean: [Double], logVariance: [Double]) -> Double {
        x.indices.reduce(0) { $0 + 0.5 * (logVariance[$1] + pow(x[$1] - mean[$1], 2) / exp(logVariance[$1]) + log(2 * Double.pi)) }
    }

    func row(_ values: [Double], _ r: Int, _ width: Int) -> [Double] { Array(values[r * width..<(r + 1) * width]) }

    /// Rows inside the box, then rows on its faces and beyond them, which the clamp keeps finite.
    func testNegativeLogDensityIsTheChangeOfVariables() throws {
        let (d, k) = (3, 2)
        var random = TestRandom(seed: 31)
        var x: [Double] = []
        for _ in 0..<5 { x += (0..<d).map { Self.box.lower[$0] + (Self.box.upper[$0] - Self.box.lower[$0]) * random.uniform() } }
        x += Self.box.lower + Self.box.upper + [-1.5, 1.5, 7]
        let rows = x.count / d
        let mean = (0..<rows * k * d).map { _ in random.normal() }, logVariance = (0..<rows * k * d).map { _ in random.uniform() - 0.5 }
        let logits = (0..<rows * k).map { _ in random.normal() }
        let support = BoundedSupport(Self.box)

        // The Gaussian reads the first d means and log-variances of each row; the mixture all.
        let gaussianMean = (0..<rows).flatMap { row(mean, $0, k * d).prefix(d) }
        let gaussianLogVariance = (0..<rows).flatMap { row(logVariance, $0, k * d).prefix(d) }
        let (_, p, _) = try program(Double.self) { b in
            let at = try b.input("x", [rows, d])
            let heads = try [("m", d), ("lv", d)].map { try b.input($0.0, [rows, $0.1]) }
            b.output("gaussian", try support.negativeLogDensity(&b, of: DiagonalGaussian(), at: at, heads: heads, size: d))
            let mixtureHeads = try [("logits", k), ("mean", k * d), ("log_variance", k * d)].map { try b.input($0.0, [rows, $0.1]) }
            b.output("mixture", try support.negativeLogDensity(&b, of: GaussianMixture(components: k), at: at, heads: mixtureHeads, size: d))
        }
        let out = p.run(["x": x, "m": gaussianMean, "lv": gaussianLogVariance, "logits": logits, "mean": mean, "log_variance": logVariance])
        for r in 0..<rows {
            let gaussian = Self.referenceNLL(x: row(x, r, d), box: Self.box) {
                Self.gaussianNLL($0, mean: self.row(gaussianMean, r, d), logVariance: self.row(gaussianLogVariance, r, d))
            }
            let mixture = Self.referenceNLL(x: row(x, r, d), box: Self.box) {
                MixtureFamilyTests.referenceNLL(x: $0, logits: self.row(logits, r, k), mean: self.row(mean, r, k * d),
                                                logVariance: self.row(logVariance, r, k * d), size: d)
            }
            XCTAssertTrue(gaussian.isFinite && mixture.isFinite)
            // Graph constants (log 2π, Σ log(hi − lo)) are float32: their rounding is below 1e-6.
            XCTAssertEqual(out["gaussian"]![r], gaussian, accuracy: 1e-6 * max(1, abs(gaussian)), "gaussian, row \(r)")
            XCTAssertEqual(out["mixture"]![r], mixture, accuracy: 1e-6 * max(1, abs(mixture)), "mixture, row \(r)")
        }
    }

    /// exp(−nll) is a density on the box: on a fine grid over (0, 5), a one-component bounded
    /// Gaussian integrates to 1, and so does a bounded mixture.
    func testDensityIntegratesToOneOverTheBox() throws {
        let n = 200_001
        let box = Box(0...5, size: 1)
        let support = BoundedSupport(box)
        let step = 5.0 / Double(n + 1)
        let x = (1...n).map { Double($0) * step }
        let (_, p, _) = try program(Double.self) { b in
            let at = try b.input("x", [n, 1])
            let heads = try [("m", 1), ("lv", 1)].map { try b.input($0.0, [n, $0.1]) }
            b.output("gaussian", try support.negativeLogDensity(&b, of: DiagonalGaussian(), at: at, heads: heads, size: 1))
            let mixture = try [("logits", 2), ("mean", 2), ("log_variance", 2)].map { try b.input($0.0, [n, $0.1]) }
            b.output("mixture", try support.negativeLogDensity(&b, of: GaussianMixture(components: 2), at: at, heads: mixture, size: 1))
        }
        func repeated(_ values: [Double]) -> [Double] { (0..<n).flatMap { _ in values } }
        let out = p.run(["x": x, "m": repeated([0.7]), "lv": repeated([0.4]),
                         "logits": repeated([0.2, -0.5]), "mean": repeated([-1.5, 2]), "log_variance": repeated([-0.5, 0.3])])
        for family in ["gaussian", "mixture"] {
            let integral = out[family]!.reduce(0) { $0 + exp(-$1) } * step
            XCTAssertEqual(integral, 1, accuracy: 1e-4, family)
        }
    }

    /// Samples of one row of heads broadcast to many draws: each is lo + (hi − lo)·σ(μ + σε),
    /// computed in float64, and every one lies in the box, also where σ saturates (means of ±30).
    func testSamplesLieInTheBox() throws {
        let (n, d) = (10_000, 3)
        let mean: [Float] = [30, -30, 0.5], logVariance: [Float] = [0, 1, 2]
        let support = BoundedSupport(Self.box)
        let (_, p, _) = try program(Float.self) { b in
            let heads = try [("mean", d), ("log_variance", d)].map { try b.input($0.0, [1, $0.1]) }
            let noise = try b.input("noise.theta", [n, d])
            let context = SamplingContext { b, x in
                try b.add(.broadcast(axis: 0, to: [n, b.shape(x).dims[1]]), [b.add(.sum(axis: 0), [x])])
            }
            b.output("theta", try support.sample(&b, of: DiagonalGaussian(), heads: heads, noise: [noise], size: d, context: context))
        }
        var random = TestRandom(seed: 32)
        let noise = random.floats(n * d, scale: 3)
        let theta = p.run(["mean": mean, "log_variance": logVariance, "noise.theta": noise])["theta"]!
        for r in 0..<n {
            let values = Array(theta[r * d..<(r + 1) * d])
            XCTAssertTrue(Self.box.contains(values), "row \(r): \(values)")
            for i in 0..<d {
                let s = Double(mean[i]) + exp(0.5 * Double(logVariance[i])) * Double(noise[r * d + i])
                let expected = Self.box.lower[i] + (Self.box.upper[i] - Self.box.lower[i]) / (1 + exp(-s))
                XCTAssertEqual(Double(values[i]), expected, accuracy: 1e-5 * (Self.box.upper[i] - Self.box.lower[i]), "row \(r), \(i)")
            }
        }
        XCTAssertEqual(theta[0], 1, "σ(30) is 1 in float32: the sample is the upper bound itself")
        XCTAssertEqual(theta[1], -1, "σ(−30) is 0 to float32's precision of lo + (hi − lo)·σ")
    }

    /// Σ r · nll through the bounded Gaussian and the bounded mixture, in x and every head,
    /// against central differences in float64. x stays inside the clamp, where nll is smooth.
    func testGradientsMatchFiniteDifferences() throws {
        let (rows, d, k) = (3, 3, 2)
        var random = TestRandom(seed: 33)
        let x = (0..<rows).flatMap { _ in (0..<d).map { Self.box.lower[$0] + (Self.box.upper[$0] - Self.box.lower[$0]) * (0.05 + 0.9 * random.uniform()) } }
        let r = (0..<rows).map { _ in 0.5 + random.uniform() }
        let support = BoundedSupport(Self.box)
        let families: [(any DistributionFamily, [(String, Int)])] = [
            (DiagonalGaussian(), [("mean", d), ("log_variance", d)]),
            (GaussianMixture(components: k), [("logits", k), ("mean", k * d), ("log_variance", k * d)]),
        ]
        for (family, heads) in families {
            let widths = [("x", d)] + heads
            var values = ["x": x]
            for (name, width) in heads { values[name] = (0..<rows * width).map { _ in random.uniform() * 2 - 1 } }
            let check = try GradientCheck(rows: rows, widths: widths, values: values, r: r) { b, nodes in
                try support.negativeLogDensity(&b, of: family, at: nodes[0], heads: Array(nodes[1...]), size: d)
            }
            let analytic = check.analytic
            for (name, _) in widths {
                let numeric = centralDifferences(at: values[name]!) { check.loss(setting: name, to: $0) }
                for (i, (a, n)) in zip(analytic[name]!, numeric).enumerated() {
                    XCTAssertEqual(a, n, accuracy: 1e-6 * max(1, abs(n)), "\(family.name): d loss / d \(name)[\(i)]")
                }
            }
        }
    }
}
