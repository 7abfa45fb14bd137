import Foundation
import IR
import Interpreter
import Passes
import Runtime
import TestSupport
import XCTest

/// The Monte-Carlo KL estimate, log q(z) − log p(z) at q's reparameterized sample z: each
/// estimate against float64 with the same noise, and its mean over many draws against the
/// KL divergence (Gaussian against Gaussian: the closed form; Gaussian against a mixture: a
/// numerical integral).
final class MonteCarloKLTests: XCTestCase {
    /// KL(q ‖ p) for each row of `rows` × `size`: q Gaussian sampled from `noise`, p `prior`
    /// with `pHeads` (name, width); outputs "mc" and, where the families have one, "closed".
    func program(rows: Int, size d: Int, prior: any DistributionFamily, pHeads: [(String, Int)])
        throws -> InterpretedProgram<Double> {
        try InterpreterTests.program(Double.self) { b in
            let q = DiagonalGaussian()
            let qHeads = try [("q.mean", d), ("q.log_variance", d)].map { try b.input($0.0, [rows, $0.1]) }
            let pNodes = try pHeads.map { try b.input($0.0, [rows, $0.1]) }
            let z = try q.sample(&b, heads: qHeads, noise: [b.input("noise.z", [rows, d])], size: d,
                                 context: SamplingContext { _, x in x })
            b.output("mc", try KLEstimate.monteCarlo.lower(&b, posterior: q, heads: qHeads, prior: prior, heads: pNodes, sample: z, size: d))
            if KLEstimate(posterior: q.capabilities, prior: prior.capabilities) == .closedForm {
                b.output("closed", try KLEstimate.closedForm.lower(&b, posterior: q, heads: qHeads, prior: prior, heads: pNodes,
                                                                   sample: z, size: d))
            }
        }.1
    }

    func row(_ values: [Double], _ r: Int, _ width: Int) -> [Double] { Array(values[r * width..<(r + 1) * width]) }

    /// A Gaussian encoder against a mixture prior, row by row: the graph's estimate is log q(z)
    /// − log p(z) computed in float64 from the same noise.
    func testEstimateIsLogQMinusLogPAtTheSample() throws {
        let (rows, d, k) = (8, 2, 3)
        var random = TestRandom(seed: 41)
        func draws(_ n: Int, _ scale: Double = 1) -> [Double] { (0..<n).map { _ in scale * random.normal() } }
        let inputs: [String: [Double]] = [
            "q.mean": draws(rows * d), "q.log_variance": draws(rows * d, 0.5), "noise.z": draws(rows * d),
            "logits": draws(rows * k), "mean": draws(rows * k * d, 2), "log_variance": draws(rows * k * d, 0.5),
        ]
        let p = try program(rows: rows, size: d, prior: GaussianMixture(components: k),
                            pHeads: [("logits", k), ("mean", k * d), ("log_variance", k * d)])
        let got = p.run(inputs)["mc"]!
        for r in 0..<rows {
            let (m, lv, eps) = (row(inputs["q.mean"]!, r, d), row(inputs["q.log_variance"]!, r, d), row(inputs["noise.z"]!, r, d))
            let z = (0..<d).map { m[$0] + exp(0.5 * lv[$0]) * eps[$0] }
            let logQ = -BoundedSupportTests.gaussianNLL(z, mean: m, logVariance: lv)
            let logP = -MixtureFamilyTests.referenceNLL(x: z, logits: row(inputs["logits"]!, r, k), mean: row(inputs["mean"]!, r, k * d),
                                                        logVariance: row(inputs["log_variance"]!, r, k * d), size: d)
            // The graphs' ½·log 2π constants are float32; their rounding is below 1e-6.
            XCTAssertEqual(got[r], logQ - logP, accuracy: 1e-6 * max(1, abs(logQ - logP)), "row \(r)")
        }
    }

    /// Gaussian against Gaussian, forced through the Monte-Carlo path: over 100,000 draws the
    /// mean estimate is the closed form (which the graph also computes) within 5 standard errors.
    func testGaussianEstimateAveragesToTheClosedForm() throws {
        let (n, d) = (100_000, 3)
        let qMean = [0.3, -1.0, 0.8], qLogVariance = [-0.4, 0.2, 0.0], pMean = [0.0, 0.5, 1.5], pLogVariance = [0.3, -0.2, 0.6]
        var closed = 0.0
        for i in 0..<d {
            let spread: Double = exp(qLogVariance[i]) + pow(qMean[i] - pMean[i], 2)
            closed += 0.5 * (pLogVariance[i] - qLogVariance[i] + spread / exp(pLogVariance[i]) - 1)
        }
        var random = TestRandom(seed: 42)
        func repeated(_ values: [Double]) -> [Double] { (0..<n).flatMap { _ in values } }
        let out = try program(rows: n, size: d, prior: DiagonalGaussian(), pHeads: [("p.mean", d), ("p.log_variance", d)])
            .run(["q.mean": repeated(qMean), "q.log_variance": repeated(qLogVariance), "noise.z": (0..<n * d).map { _ in random.normal() },
                  "p.mean": repeated(pMean), "p.log_variance": repeated(pLogVariance)])
        XCTAssertEqual(out["closed"]![0], closed, accuracy: 1e-9)
        let estimates = out["mc"]!
        let mean = estimates.reduce(0, +) / Double(n)
        let sd = (estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
        XCTAssertGreaterThan(sd, 0.1, "single-sample estimates vary")
        XCTAssertEqual(mean, closed, accuracy: 5 * sd / Double(n).squareRoot())
    }

    /// Gaussian against a three-component mixture in one dimension: over 100,000 draws the mean
    /// estimate is ∫ q (log q − log p), integrated numerically in float64 over μ ± 12σ.
    func testMixtureEstimateAveragesToTheNumericalKL() throws {
        let n = 100_000
        let (qMean, qLogVariance) = (0.4, -0.3)
        let logits = [0.5, -0.2, 0.1], mean = [-2.0, 0.0, 1.5], logVariance = [-0.5, 0.4, -1.0]
        func logP(_ z: Double) -> Double {
            -MixtureFamilyTests.referenceNLL(x: [z], logits: logits, mean: mean, logVariance: logVariance, size: 1)
        }
        func logQ(_ z: Double) -> Double { -BoundedSupportTests.gaussianNLL([z], mean: [qMean], logVariance: [qLogVariance]) }
        let sigma = exp(0.5 * qLogVariance), points = 200_001
        let step = 24 * sigma / Double(points - 1)
        let integral = (0..<points).reduce(0.0) { total, i in
            let z = qMean - 12 * sigma + Double(i) * step
            let weight = i == 0 || i == points - 1 ? 0.5 : 1
            return total + weight * exp(logQ(z)) * (logQ(z) - logP(z)) * step
        }
        var random = TestRandom(seed: 43)
        func repeated(_ values: [Double]) -> [Double] { (0..<n).flatMap { _ in values } }
        let estimates = try program(rows: n, size: 1, prior: GaussianMixture(components: 3),
                                    pHeads: [("logits", 3), ("mean", 3), ("log_variance", 3)])
            .run(["q.mean": repeated([qMean]), "q.log_variance": repeated([qLogVariance]), "noise.z": (0..<n).map { _ in random.normal() },
                  "logits": repeated(logits), "mean": repeated(mean), "log_variance": repeated(logVariance)])["mc"]!
        let average = estimates.reduce(0, +) / Double(n)
        let sd = (estimates.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(n - 1)).squareRoot()
        XCTAssertGreaterThan(integral, 0.05, "the two distributions differ")
        XCTAssertEqual(average, integral, accuracy: 5 * sd / Double(n).squareRoot())
    }

    /// The estimate's gradient in q's and p's heads and the noise, against central differences.
    func testGradientsMatchFiniteDifferences() throws {
        let (rows, d, k) = (3, 2, 2)
        var random = TestRandom(seed: 44)
        let widths = [("q.mean", d), ("q.log_variance", d), ("noise", d), ("logits", k), ("mean", k * d), ("log_variance", k * d)]
        let values = Dictionary(uniqueKeysWithValues: widths.map { name, width in (name, (0..<rows * width).map { _ in random.uniform() * 2 - 1 }) })
        let r = (0..<rows).map { _ in 0.5 + random.uniform() }
        let check = try GradientCheck(rows: rows, widths: widths, values: values, r: r) { b, nodes in
            let q = DiagonalGaussian()
            let z = try q.sample(&b, heads: [nodes[0], nodes[1]], noise: [nodes[2]], size: d, context: SamplingContext { _, x in x })
            return try KLEstimate.monteCarlo.lower(&b, posterior: q, heads: [nodes[0], nodes[1]], prior: GaussianMixture(components: k),
                                                   heads: Array(nodes[3...]), sample: z, size: d)
        }
        let analytic = check.analytic
        for (name, _) in widths {
            let numeric = centralDifferences(at: values[name]!) { check.loss(setting: name, to: $0) }
            for (i, (a, n)) in zip(analytic[name]!, numeric).enumerated() {
                XCTAssertEqual(a, n, accuracy: 1e-6 * max(1, abs(n)), "d loss / d \(name)[\(i)]")
            }
        }
    }
}
