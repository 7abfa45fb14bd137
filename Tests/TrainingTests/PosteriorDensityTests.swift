import Datasets
import Foundation
import IR
import Passes
import Random
import Simulators
import Spec
import TestSupport
import Training
import XCTest

/// `PosteriorDensity` and the graphs' `log_density` programs against float64 computations
/// written from the definitions: the networks' forward passes, the families' densities, the
/// importance weights with the same noise, and the Jacobian of θ's scaling; and a Gaussian
/// NPE trained on gaussian_linear against the task's exact posterior.
final class PosteriorDensityTests: XCTestCase {
    // MARK: Specs

    static let mixtureNPE = """
        {
          "name": "mixture_npe",
          "variables": { "theta": 3, "y": 2 },
          "networks": {
            "posterior": { "inputs": ["y"], "hidden": [16, 16], "output": { "theta": { "family": "mixture", "components": 3 } } }
          },
          "loss": [ { "nll": "posterior" } ],
          "sample": { "given": "y", "path": ["posterior"], "target": "theta", "batch_size": 8 }
        }
        """

    /// A CP-VAE; `prior` and `extra` turn it into a UP-VAE with a data decoder.
    static func vae(prior: String = #"{ "inputs": ["y"], "hidden": [8], "output": { "z": "gaussian" } }"#,
                    extra: String = "", extraLoss: String = "") -> String {
        """
        {
          "name": "vae",
          "variables": { "theta": 2, "y": 3, "z": 2 },
          "networks": {
            "encoder": { "inputs": ["y", "theta"], "hidden": [8, 8], "output": { "z": "gaussian" } },
            "prior": \(prior),
            "decoder": { "inputs": ["y", "z"], "hidden": [8], "output": { "theta": "gaussian" } }\(extra)
          },
          "loss": [ { "kl": ["encoder", "prior"] }, { "nll": "decoder" }\(extraLoss) ],
          "sample": { "given": "y", "path": ["prior", "decoder"], "target": "theta", "batch_size": 16 }
        }
        """
    }

    static let upvae = vae(prior: #"{ "inputs": [], "output": { "z": "standard_normal" } }"#,
                           extra: #", "data_decoder": { "inputs": ["z"], "hidden": [8], "output": { "y": "gaussian" } }"#,
                           extraLoss: #", { "nll": "data_decoder", "weight": 0.2 }"#)

    /// A model of `spec` with random weights and biases (about unit-variance layers at gain 1)
    /// and the given scalers.
    static func randomModel(_ spec: String, theta: Scaler, y: Scaler, seed: UInt64 = 3, gain: Double = 1) throws -> (ModelSpec, TrainedModel) {
        let parsed = try ModelSpec.parse(spec)
        let (graph, _) = try Compiler().compile(parsed)
        var random = TestRandom(seed: seed)
        var weights: [String: [Float]] = [:]
        for p in graph.parameters where p.kind == .weight {
            let fanIn = p.shape.rank == 2 ? p.shape.dims[0] : 4
            weights[p.name] = random.floats(p.shape.count, scale: gain / Double(fanIn).squareRoot())
        }
        let summary = TrainingSummary(epochs: 1, bestEpoch: 1, bestValidationLoss: 0, wallSeconds: 0, microsecondsPerStep: 0,
                                      simulations: 1, simulationsDropped: 0, seed: 1, backend: "interpreter", stopped: .maxEpochs)
        return (parsed, TrainedModel(graph: graph, weights: weights, thetaScaler: theta, yScaler: y, summary: summary, spec: nil))
    }

    // MARK: Float64 reference

    /// A network's heads in float64: dense layers with leaky ReLU (0.1, the default), then one
    /// dense layer per head, log-variances clamped to the default range.
    static func heads(_ network: Network, of inputs: [String: [Double]], spec: ModelSpec,
                      weights: [String: [Float]]) -> [[Double]] {
        func dense(_ x: [Double], _ layer: String) -> [Double] {
            let w = weights[layer + ".weight"]!, b = weights[layer + ".bias"]!
            let out = b.count
            return (0..<out).map { j in (0..<x.count).reduce(Double(b[j])) { $0 + x[$1] * Double(w[$1 * out + j]) } }
        }
        var h = network.inputs.flatMap { inputs[$0]! }
        for layer in network.hidden.indices {
            h = dense(h, "\(network.name).layer\(layer)").map { $0 > 0 ? $0 : 0.1 * $0 }
        }
        let size = spec.variable(network.output)!.size
        return network.distribution.family.heads(size: size).map { head in
            let value = dense(h, "\(network.name).\(head.name)")
            return head.kind == .logVariance ? value.map { min(max($0, -20), 20) } : value
        }
    }

    static func logNormal(_ x: [Double], mean: [Double], logVariance: [Double]) -> Double {
        x.indices.reduce(0) { total, j in
            let r = x[j] - mean[j]
            return total - 0.5 * (log(2 * Double.pi) + logVariance[j] + r * r / exp(logVariance[j]))
        }
    }

    /// log Σ_k softmax(logits)_k N(x; μ_k, σ²_k), shifted by its largest term.
    static func logMixture(_ x: [Double], heads: [[Double]]) -> Double {
        let (logits, mean, logVariance) = (heads[0], heads[1], heads[2])
        let d = x.count
        let top = logits.max()!
        let normalizer = top + log(logits.reduce(0) { $0 + exp($1 - top) })
        let joint = logits.indices.map { k in
            logits[k] - normalizer + logNormal(x, mean: Array(mean[k * d..<(k + 1) * d]), logVariance: Array(logVariance[k * d..<(k + 1) * d]))
        }
        let m = joint.max()!
        return m + log(joint.reduce(0) { $0 + exp($1 - m) })
    }

    static func logMeanExp(_ w: [Double]) -> Double {
        let m = w.max()!
        return m + log(w.reduce(0) { $0 + exp($1 - m) } / Double(w.count))
    }

    static func scaled(_ x: [Double], _ s: Scaler) -> [Double] {
        x.indices.map { ((s.kind == .logStandard ? log(x[$0]) : x[$0]) - s.shift[$0]) / s.scale[$0] }
    }

    // MARK: Exact densities

    /// A mixture NPE with random weights: log q(θ | y) from the program, one row per (θ, y)
    /// pair, against the float64 mixture density of the heads of the same weights, plus the
    /// Jacobian of θ's scaling: −Σ log scale, and −Σ log θ under log scaling, where θ ≤ 0 has
    /// density 0. A missing or doubled Jacobian moves the values by 1.8 and more.
    func testMixtureDensityMatchesFloat64() throws {
        let yScaler = Scaler(kind: .standard, shift: [0.4, -1], scale: [2, 0.7])
        var random = TestRandom(seed: 7)
        for thetaScaler in [Scaler(kind: .standard, shift: [0.3, -1, 2], scale: [0.5, 2, 1.5]),
                            Scaler(kind: .logStandard, shift: [0.1, -0.3, 0.5], scale: [0.8, 1.2, 0.4])] {
            let (spec, model) = try Self.randomModel(Self.mixtureNPE, theta: thetaScaler, y: yScaler)
            let density = try PosteriorDensity(model, backend: TrainerTests.interpreter)
            XCTAssertTrue(density.isExact)
            // 11 rows: more than one run of the program's batch of 8.
            let rows = 11
            var theta = try Matrix(rows: rows, columns: 3, values: (0..<rows * 3).map { _ in exp(random.normal()) })
            let y = try Matrix(rows: rows, columns: 2, values: (0..<rows * 2).map { _ in 2 * random.normal() })
            if thetaScaler.kind == .logStandard { theta[4, 1] = -0.5 }
            let got = try density.logDensity(of: theta, given: y, samples: 5, seed: 1)
            let posterior = spec.network("posterior")!
            for r in 0..<rows {
                let row = theta.rowArray(r)
                if row.contains(where: { $0 <= 0 }) {
                    XCTAssertEqual(got[r], -.infinity, "row \(r): θ ≤ 0 under log scaling")
                    continue
                }
                let heads = Self.heads(posterior, of: ["y": Self.scaled(y.rowArray(r), yScaler)], spec: spec, weights: model.weights)
                var want = Self.logMixture(Self.scaled(row, thetaScaler), heads: heads) - thetaScaler.scale.map(log).reduce(0, +)
                if thetaScaler.kind == .logStandard { want -= row.map(log).reduce(0, +) }
                XCTAssertEqual(got[r], want, accuracy: 2e-4 * max(1, abs(want)), "\(thetaScaler.kind) row \(r)")
            }
            // One observation stands for every row.
            let one = try density.logDensity(of: theta, given: try Matrix(rowArrays: [y.rowArray(2)]), samples: 1, seed: 1)
            XCTAssertEqual(one[2], got[2], accuracy: 1e-6 * max(1, abs(got[2])))
        }
    }

    /// specs/beyond/two_moons_npe_flow.json (a spline flow over θ) with random weights: its
    /// exact density, in θ's units, integrates to 1 over a grid (midpoint rule, spacing 0.05
    /// in scaled units over ±7). Without the Jacobian of θ's scaling the integral would be
    /// 1 / (0.5 · 0.8) = 2.5. The weights are small (gain 0.3), so that the splines stay
    /// smooth enough for the grid: at gain 1 the density peaks at 25 and a grid of 0.1 misses
    /// part of it.
    func testFlowDensityIntegratesToOne() throws {
        let text = try String(contentsOf: repository.appendingPathComponent("specs/beyond/two_moons_npe_flow.json"), encoding: .utf8)
        let thetaScaler = Scaler(kind: .standard, shift: [0.1, -0.2], scale: [0.5, 0.8])
        let (_, model) = try Self.randomModel(text, theta: thetaScaler, y: Scaler(kind: .standard, shift: [0, 0], scale: [1, 1]),
                                              seed: 4, gain: 0.3)
        let density = try PosteriorDensity(model, backend: TrainerTests.interpreter)
        XCTAssertTrue(density.isExact)
        let (step, side, half) = (0.05, 280, 7.0)
        var grid = Matrix(rows: side * side, columns: 2)
        for i in 0..<side {
            for j in 0..<side {
                grid[i * side + j, 0] = thetaScaler.shift[0] + thetaScaler.scale[0] * (-half + (Double(i) + 0.5) * step)
                grid[i * side + j, 1] = thetaScaler.shift[1] + thetaScaler.scale[1] * (-half + (Double(j) + 0.5) * step)
            }
        }
        let values = try density.logDensity(of: grid, given: try Matrix(rowArrays: [[0.3, -0.4]]), samples: 1, seed: 1)
        let cell = step * step * thetaScaler.scale.reduce(1, *)
        let integral = values.reduce(0) { $0 + exp($1) } * cell
        XCTAssertEqual(integral, 1, accuracy: 0.01)
    }

    // MARK: Importance weights

    /// The IWAE estimate of a CP-VAE and of a UP-VAE with random weights, against float64
    /// importance weights from the same noise: z = μ_q + σ_q ε with ε the "log_density"
    /// stream's draws, filled one program batch at a time as the estimator fills them, and
    /// log w = log p(θ | y, z) + log p(z | ·) − log q(z | y, θ). The UP-VAE's prior is N(0, I)
    /// and its data decoder takes no part. 3 rows × 8 samples span two runs of batch 16.
    func testImportanceWeightsMatchFloat64() throws {
        let thetaScaler = Scaler(kind: .standard, shift: [0.2, -0.5], scale: [0.6, 1.7])
        let yScaler = Scaler(kind: .standard, shift: [0, 1, -1], scale: [1, 2, 0.5])
        for (name, text) in [("cp-vae", Self.vae()), ("up-vae", Self.upvae)] {
            let (spec, model) = try Self.randomModel(text, theta: thetaScaler, y: yScaler, seed: 5)
            let density = try PosteriorDensity(model, backend: TrainerTests.interpreter)
            XCTAssertFalse(density.isExact, name)
            let (rows, samples, batch, seed): (Int, Int, Int, UInt64) = (3, 8, 16, 41)
            var random = TestRandom(seed: 8)
            let theta = try Matrix(rows: rows, columns: 2, values: (0..<rows * 2).map { _ in random.normal() })
            let y = try Matrix(rows: 1, columns: 3, values: (0..<3).map { _ in random.normal() })
            let got = try density.logDensity(of: theta, given: y, samples: samples, seed: seed)

            var stream = RandomStream(seed: seed, stream: "log_density")
            var noise: [Double] = []
            for _ in 0..<((rows * samples + batch - 1) / batch) {
                var buffer = [Float](repeating: 0, count: batch * 2)
                buffer.withUnsafeMutableBufferPointer { stream.fillNormal($0) }
                noise += buffer.map(Double.init)
            }
            let yScaled = Self.scaled(y.rowArray(0), yScaler)
            for r in 0..<rows {
                let thetaScaled = Self.scaled(theta.rowArray(r), thetaScaler)
                let q = Self.heads(spec.network("encoder")!, of: ["y": yScaled, "theta": thetaScaled], spec: spec, weights: model.weights)
                let weights = (0..<samples).map { k -> Double in
                    let e = r * samples + k
                    let z = (0..<2).map { q[0][$0] + exp(0.5 * q[1][$0]) * noise[e * 2 + $0] }
                    let prior = spec.network("prior")!.distribution.family is StandardNormal ? [[0, 0], [0, 0]]
                        : Self.heads(spec.network("prior")!, of: ["y": yScaled], spec: spec, weights: model.weights)
                    let decoder = Self.heads(spec.network("decoder")!, of: ["y": yScaled, "z": z], spec: spec, weights: model.weights)
                    return Self.logNormal(thetaScaled, mean: decoder[0], logVariance: decoder[1])
                        + Self.logNormal(z, mean: prior[0], logVariance: prior[1]) - Self.logNormal(z, mean: q[0], logVariance: q[1])
                }
                let want = Self.logMeanExp(weights) - thetaScaler.scale.map(log).reduce(0, +)
                XCTAssertEqual(got[r], want, accuracy: 2e-4 * max(1, abs(want)), "\(name) row \(r)")
            }
        }
    }

    /// The IWAE bound rises with K in expectation (Burda et al. 2016, theorem 1). With the
    /// same seed, a row's K draws begin with the draws of any smaller K, so the estimates of
    /// one seed are paired: over 100 seeds, the mean rise from K = 1 to 10, 10 to 100 and 100
    /// to 1000 exceeds three standard errors of the paired differences. With random weights
    /// the encoder is a poor proposal, so the rises are wide (measured on 40 seeds: means
    /// −3.7, −3.1, −2.8 and −2.6 for K = 1, 8, 64 and 512).
    func testEstimateRisesWithTheNumberOfSamples() throws {
        let (_, model) = try Self.randomModel(Self.vae(), theta: Scaler(kind: .none, shift: [0, 0], scale: [1, 1]),
                                              y: Scaler(kind: .none, shift: [0, 0, 0], scale: [1, 1, 1]), seed: 9)
        let density = try PosteriorDensity(model, backend: TrainerTests.interpreter)
        let theta = try Matrix(rowArrays: [[0.5, -1]]), y = try Matrix(rowArrays: [[1, 0, -0.5]])
        let seeds = 100
        let estimates = try [1, 10, 100, 1000].map { k in
            try (0..<seeds).map { try density.logDensity(of: theta, given: y, samples: k, seed: UInt64(100 + $0))[0] }
        }
        for i in 1..<estimates.count {
            let rise = zip(estimates[i], estimates[i - 1]).map { $0 - $1 }
            let mean = rise.reduce(0, +) / Double(seeds)
            let error = (rise.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(seeds - 1) / Double(seeds)).squareRoot()
            XCTAssertGreaterThan(mean, 3 * error, "step \(i): mean rise \(mean) ± \(error)")
        }
    }

    // MARK: A trained model against the exact posterior

    /// specs/beyond/gaussian_linear_npe.json trained briefly on gaussian_linear, whose posterior
    /// is N(y / 2, 0.05 I): at θ drawn from that posterior, log q − log p averages −KL(p ‖ q),
    /// at most 0 and small for a model this close, and varies little from θ to θ. θ's scale is
    /// about √0.1 per dimension, so a lost Jacobian would move every value by 11.5; the ½ log 2π
    /// of ten dimensions is 9.2. (Measured: mean −0.32, spread 0.71, after 37 epochs.)
    func testGaussianNPEMatchesTheExactPosterior() throws {
        var spec = try ModelSpec.load(path: repository.appendingPathComponent("specs/beyond/gaussian_linear_npe.json").path)
        spec.training.batchSize = 128
        let (model, epochs) = try brieflyTrained(spec, task: "gaussian_linear", count: 8000, seed: 31, maxEpochs: 40, patience: 10)
        let density = try PosteriorDensity(model, backend: TrainerTests.interpreter)
        XCTAssertTrue(density.isExact)

        let observation = try SBIBM.observation(task: "gaussian_linear", number: 1)
        var random = TestRandom(seed: 32)
        let n = 500, d = 10, variance = 0.05
        let points = try Matrix(rows: n, columns: d, values: (0..<n * d).map {
            observation.values[$0 % d] / 2 + variance.squareRoot() * random.normal()
        })
        let got = try density.logDensity(of: points, given: observation, samples: 1, seed: 1)
        let differences = (0..<n).map { r -> Double in
            let exact = Self.logNormal(points.rowArray(r), mean: observation.values.map { $0 / 2 }, logVariance: Array(repeating: log(variance), count: d))
            return got[r] - exact
        }
        let mean = differences.reduce(0, +) / Double(n)
        let spread = (differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
        let report = "mean \(mean), spread \(spread) after \(epochs) epochs"
        print("gaussian_linear_npe: log q − log p: " + report)
        // −KL ≤ 0, up to the Monte-Carlo error of the mean.
        XCTAssertLessThan(mean, 3 * spread / Double(n).squareRoot(), report)
        XCTAssertGreaterThan(mean, -1, report)
        XCTAssertLessThan(spread, 1.2, report)
    }

    // MARK: Errors

    func testBadInputIsRefusedWithItsPlace() throws {
        let (_, model) = try Self.randomModel(Self.mixtureNPE, theta: Scaler(kind: .standard, shift: [0, 0, 0], scale: [1, 1, 1]),
                                              y: Scaler(kind: .logStandard, shift: [0, 0], scale: [1, 1]))
        let density = try PosteriorDensity(model, backend: TrainerTests.interpreter)
        let theta = try Matrix(rowArrays: [[0, 0, 0], [1, 1, 1]])
        func message(_ t: Matrix, _ y: Matrix) -> String {
            do { _ = try density.logDensity(of: t, given: y, samples: 1, seed: 1); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(try Matrix(rowArrays: [[0, 0]]), try Matrix(rowArrays: [[1, 1]])),
                       "θ has 2 values; the model expects 3")
        XCTAssertEqual(message(theta, try Matrix(rowArrays: [[1, 1], [1, 1], [1, 1]])),
                       "3 observations for 2 rows of θ: give one, or one per row")
        XCTAssertEqual(message(try Matrix(rowArrays: [[0, 0, 0], [1, .nan, 1]]), try Matrix(rowArrays: [[1, 1]])),
                       "θ row 2, value 2 is nan: θ must be finite")
        XCTAssertEqual(message(theta, try Matrix(rowArrays: [[1, 1], [1, -2]])),
                       "observation 2, value 2 is -2.0: the model scales y by log_standard, which needs positive values")
        var graph = model.graph
        graph.programs.removeAll { $0.name == Interface.Programs.logDensity }
        var old = model
        old.graph = graph
        XCTAssertThrowsError(try PosteriorDensity(old, backend: TrainerTests.interpreter)) { error in
            XCTAssertTrue("\(error)".hasPrefix("the model's graph has no log_density program"), "\(error)")
        }
    }
}
