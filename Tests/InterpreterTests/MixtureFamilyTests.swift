import Foundation
import IR
import Interpreter
import Passes
import Random
import Runtime
import TestSupport
import XCTest

/// The mixture family's graphs against independent float64 computations: its negative
/// log-density, its samples' moments and component frequencies, and its gradients.
final class MixtureFamilyTests: XCTestCase {
    /// −log Σ_k softmax(logits)_k Π_d N(x_d; μ_kd, σ²_kd) in float64, written from the definition:
    /// each component's log-density, then a log-sum-exp shifted by its maximum.
    static func referenceNLL(x: [Double], logits: [Double], mean: [Double], logVariance: [Double], size d: Int) -> Double {
        let k = logits.count
        let top = logits.max()!
        let logNormalizer = top + log(logits.map { exp($0 - top) }.reduce(0, +))
        let joint = (0..<k).map { c -> Double in
            var logDensity = logits[c] - logNormalizer
            for j in 0..<d {
                let variance = exp(logVariance[c * d + j])
                let r = x[j] - mean[c * d + j]
                logDensity += -0.5 * log(2 * Double.pi * variance) - r * r / (2 * variance)
            }
            return logDensity
        }
        let m = joint.max()!
        return -(m + log(joint.map { exp($0 - m) }.reduce(0, +)))
    }

    /// Rows with components near and far: the last rows lie 40 and 400 standard deviations from
    /// every component, where the density itself underflows in float64 but its logarithm does not.
    func testNegativeLogDensityMatchesFloat64() throws {
        let (rows, d, k) = (7, 3, 4)
        var random = RandomStream(seed: 11, stream: "mixture nll")
        func draws(_ n: Int, _ low: Double, _ high: Double) -> [Double] { (0..<n).map { _ in random.uniform(low, high) } }
        var x = draws(rows * d, -3, 3)
        let logits = draws(rows * k, -6, 6), mean = draws(rows * k * d, -3, 3), logVariance = draws(rows * k * d, -3, 1.5)
        for j in 0..<d { x[(rows - 2) * d + j] = 40; x[(rows - 1) * d + j] = -400 }
        let family = GaussianMixture(components: k)
        let inputs: [String: [Double]] = ["x": x, "logits": logits, "mean": mean, "log_variance": logVariance]

        let expected = (0..<rows).map { r in
            Self.referenceNLL(x: Array(x[r * d..<(r + 1) * d]), logits: Array(logits[r * k..<(r + 1) * k]),
                              mean: Array(mean[r * k * d..<(r + 1) * k * d]),
                              logVariance: Array(logVariance[r * k * d..<(r + 1) * k * d]), size: d)
        }
        XCTAssertGreaterThan(expected[rows - 1], 1e4, "the far row is far")

        func build(_ b: inout Builder) throws {
            let heads = try [("logits", k), ("mean", k * d), ("log_variance", k * d)].map { try b.input($0.0, [rows, $0.1]) }
            b.output("nll", try family.negativeLogDensity(&b, of: try b.input("x", [rows, d]), heads: heads, size: d))
        }
        let (_, double, _) = try program(Double.self, build)
        let got = double.run(inputs)["nll"]!
        // Graph constants are float32: the ½·d·log 2π term carries its rounding, which is added here.
        let constant = 0.5 * Double(d) * log(2 * Double.pi)
        let rounding = Double(Float(constant)) - constant
        for r in 0..<rows {
            XCTAssertEqual(got[r], expected[r] + rounding, accuracy: 1e-9 * max(1, abs(expected[r])), "row \(r), float64")
        }

        let (_, float, _) = try program(Float.self, build)
        let single = float.run(inputs.mapValues { $0.map(Float.init) })["nll"]!
        for r in 0..<rows {
            XCTAssertEqual(Double(single[r]), expected[r], accuracy: 2e-5 * max(1, abs(expected[r])), "row \(r), float32")
        }
    }

    /// One component: the Gaussian's density, to the last digits.
    func testOneComponentIsTheGaussian() throws {
        let (rows, d) = (5, 2)
        var random = RandomStream(seed: 12, stream: "one component")
        let inputs: [String: [Double]] = ["x": (0..<rows * d).map { _ in random.normal() },
                                          "logits": (0..<rows).map { _ in random.normal() },
                                          "mean": (0..<rows * d).map { _ in random.normal() },
                                          "log_variance": (0..<rows * d).map { _ in random.uniform(-1, 1) }]
        let (_, p, _) = try program(Double.self) { b in
            let x = try b.input("x", [rows, d]), logits = try b.input("logits", [rows, 1])
            let mean = try b.input("mean", [rows, d]), logVariance = try b.input("log_variance", [rows, d])
            b.output("mixture", try GaussianMixture(components: 1).negativeLogDensity(&b, of: x, heads: [logits, mean, logVariance], size: d))
            b.output("gaussian", try DiagonalGaussian().negativeLogDensity(&b, of: x, heads: [mean, logVariance], size: d))
        }
        let out = p.run(inputs)
        for r in 0..<rows { XCTAssertEqual(out["mixture"]![r], out["gaussian"]![r], accuracy: 1e-12) }
    }

    /// Samples of one row of heads, broadcast to 200,000 draws as the sample program does:
    /// the component frequencies are the softmax weights, and within each component the
    /// draws have its mean and variance; overall the mixture's mean and variance. Components
    /// are 12 standard deviations apart, so each draw's component is read off its value.
    func testSamplesHaveTheMixturesMoments() throws {
        let (n, d, k) = (200_000, 2, 3)
        let logits: [Float] = [0.3, 1.2, -0.4]
        let mean: [Float] = [-12, 1, 0, -2, 12, 3]
        let logVariance: [Float] = [0, -1, 0.5, 0, -0.5, 0.8]
        let top = Double(logits.max()!)
        let unnormalized: [Double] = logits.map { exp(Double($0) - top) }
        let total = unnormalized.reduce(0, +)
        let weights: [Double] = unnormalized.map { $0 / total }

        let family = GaussianMixture(components: k)
        let (_, p, _) = try program(Float.self) { b in
            let heads = try [("logits", k), ("mean", k * d), ("log_variance", k * d)].map { try b.input($0.0, [1, $0.1]) }
            let noise = try family.noise(size: d).map { try b.input($0.distribution.input(for: "theta"), [n, $0.width]) }
            XCTAssertEqual(noise.map { b.program.nodes[$0].op }, [.input("noise.theta.uniform"), .input("noise.theta")])
            let context = SamplingContext { b, x in
                try b.add(.broadcast(axis: 0, to: [n, b.shape(x).dims[1]]), [b.add(.sum(axis: 0), [x])])
            }
            b.output("theta", try family.sample(&b, heads: heads, noise: noise, size: d, context: context))
        }
        var stream = RandomStream(seed: 5, stream: "sample")
        var uniform = [Float](repeating: 0, count: n), normal = [Float](repeating: 0, count: n * d)
        uniform.withUnsafeMutableBufferPointer { stream.fillUniform($0) }
        normal.withUnsafeMutableBufferPointer { stream.fillNormal($0) }
        let theta = p.run(["logits": logits, "mean": mean, "log_variance": logVariance,
                           "noise.theta.uniform": uniform, "noise.theta": normal])["theta"]!.map(Double.init)

        var members = [[Int]](repeating: [], count: k)
        for i in 0..<n {
            let component = (0..<k).min { abs(theta[i * d] - Double(mean[$0 * d])) < abs(theta[i * d] - Double(mean[$1 * d])) }!
            members[component].append(i)
        }
        for c in 0..<k {
            let frequency = Double(members[c].count) / Double(n)
            let spread = (weights[c] * (1 - weights[c]) / Double(n)).squareRoot()
            XCTAssertEqual(frequency, weights[c], accuracy: 5 * spread, "component \(c)'s frequency")
            for j in 0..<d {
                let values = members[c].map { theta[$0 * d + j] }
                let m = values.reduce(0, +) / Double(values.count)
                let v = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)
                let variance = exp(Double(logVariance[c * d + j]))
                XCTAssertEqual(m, Double(mean[c * d + j]), accuracy: 5 * (variance / Double(values.count)).squareRoot(),
                               "component \(c), dimension \(j): mean")
                // The sample variance's standard error is about σ²·√(2 / m).
                XCTAssertEqual(v, variance, accuracy: 5 * variance * (2 / Double(values.count)).squareRoot(),
                               "component \(c), dimension \(j): variance")
            }
        }
        for j in 0..<d {
            let expectedMean = (0..<k).reduce(0) { $0 + weights[$1] * Double(mean[$1 * d + j]) }
            let secondMoment = (0..<k).reduce(0) {
                $0 + weights[$1] * (exp(Double(logVariance[$1 * d + j])) + pow(Double(mean[$1 * d + j]), 2))
            }
            let expectedVariance = secondMoment - expectedMean * expectedMean
            let values = (0..<n).map { theta[$0 * d + j] }
            let m = values.reduce(0, +) / Double(n)
            let v = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)
            XCTAssertEqual(m, expectedMean, accuracy: 5 * (expectedVariance / Double(n)).squareRoot(), "dimension \(j): mean")
            XCTAssertEqual(v, expectedVariance, accuracy: 0.02 * expectedVariance, "dimension \(j): variance")
        }
    }

    /// Σ_rows r · nll, differentiated by autodiff with respect to the heads and x, against central
    /// finite differences in float64.
    func testGradientsMatchFiniteDifferences() throws {
        let (rows, d, k) = (3, 2, 3)
        let shapes: [(String, Int)] = [("x", d), ("logits", k), ("mean", k * d), ("log_variance", k * d)]
        let parameters = shapes.map { Parameter(name: $0.0, kind: .weight, shape: [rows, $0.1], initializer: .zeros) }
        var b = Builder(Program(name: "gradients"), parameters: parameters)
        let values = try shapes.map { try b.parameter($0.0) }
        let nll = try GaussianMixture(components: k).negativeLogDensity(&b, of: values[0], heads: Array(values[1...]), size: d)
        b.output("loss", try b.add(.sum(axis: nil), [b.mul(nll, b.input("r", [rows]))]))
        let graph = planMemory(eliminateDeadCode(try differentiate(Graph(name: "g", parameters: parameters, programs: [b.program]),
                                                                    programs: ["gradients"])))
        try graph.verify(after: "test")
        let store = ParameterStore<Double>(graph)
        var random = RandomStream(seed: 13, stream: "mixture gradients")
        for p in parameters { store[p.name] = (0..<p.shape.count).map { _ in random.uniform(-1.5, 1.5) } }
        let r = (0..<rows).map { _ in random.uniform(0.5, 1.5) }
        let run = try InterpretedProgram(graph.program("gradients")!, parameters: store)
        let outputs = run.run(["r": r])
        for p in parameters {
            let analytic = try XCTUnwrap(outputs["grad." + p.name])
            let original = store[p.name]
            let numeric = centralDifferences(at: original) { values in
                store[p.name] = values
                return run.run(["r": r])["loss"]![0]
            }
            store[p.name] = original
            for i in numeric.indices {
                XCTAssertEqual(analytic[i], numeric[i], accuracy: 1e-6 * max(1, abs(numeric[i])), "d loss / d \(p.name)[\(i)]")
            }
        }
    }

    /// The sampler reads the distribution of each noise input from its name.
    func testNoiseInputNamesSayTheirDistribution() {
        XCTAssertEqual(NoiseDistribution.normal.input(for: "z"), "noise.z")
        XCTAssertEqual(NoiseDistribution.uniform.input(for: "theta"), "noise.theta.uniform")
        for distribution in NoiseDistribution.allCases {
            XCTAssertEqual(NoiseDistribution(noiseInput: distribution.input(for: "theta")), distribution)
        }
        for name in ["theta", "noise.", "noise.theta.normal", "noise.theta.gamma", "noise.theta.uniform.x", "noise..uniform"] {
            XCTAssertNil(NoiseDistribution(noiseInput: name), name)
        }
    }
}
