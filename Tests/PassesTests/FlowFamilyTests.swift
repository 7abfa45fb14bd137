import Foundation
import IR
import Interpreter
import Passes
import Runtime
import TestSupport
import XCTest

/// The coupling flows' graphs against an independent float64 implementation of the
/// change-of-variables formula (the rational-quadratic spline as nflows writes it: softmax,
/// cumulative sums, a search for the bin), their inverses against their forward maps, a
/// one-dimensional flow's density against quadrature and its samples against that density,
/// and their gradients against finite differences.
final class FlowFamilyTests: XCTestCase {

    // MARK: - The float64 reference

    /// A coupling flow written from its definition, in float64. Constants the graph holds as
    /// float32 literals (the derivative floor and shift, log 2π) are rounded the same way, so
    /// that what is compared is the algorithm, not the literals' rounding.
    struct Reference {
        let size: Int, transforms: Int, hidden: Int
        /// nil: affine coupling.
        let bins: Int?
        let weights: [String: [Double]]

        static func float32(_ x: Double) -> Double { Double(Float(x)) }
        let bound = 3.0
        let floor = 0x1p-10
        let minimumDerivative = Reference.float32(1e-3)
        let shift = Reference.float32(log(expm1(1 - Double(Float(1e-3)))))

        /// Layer l keeps ⌊d/2⌋ coordinates and transforms the rest, in the layer's order:
        /// 0, 1, …, d − 1 on even layers, reversed on odd ones.
        func split(_ layer: Int) -> (kept: [Int], moved: [Int]) {
            let order = layer % 2 == 0 ? Array(0..<size) : Array((0..<size).reversed())
            return (Array(order[..<(size / 2)]), Array(order[(size / 2)...]))
        }

        /// x · W + b for W stored [in, out] row-major.
        func affine(_ x: [Double], _ w: [Double], _ bias: [Double]?, out: Int) -> [Double] {
            var y: [Double] = bias ?? Array(repeating: 0, count: out)
            for i in x.indices {
                for j in 0..<out { y[j] += x[i] * w[i * out + j] }
            }
            return y
        }

        func conditioner(_ layer: Int, kept: [Double], context: [Double], width: Int) -> [Double] {
            let p = "flow.\(layer)."
            var pre = affine(context, weights[p + "context.weight"]!, weights[p + "layer0.bias"]!, out: hidden)
            if !kept.isEmpty {
                let k = affine(kept, weights[p + "kept.weight"]!, nil, out: hidden)
                pre = zip(pre, k).map(+)
            }
            let h1 = pre.map { max($0, 0) }
            let h2 = affine(h1, weights[p + "layer1.weight"]!, weights[p + "layer1.bias"]!, out: hidden).map { max($0, 0) }
            return affine(h2, weights[p + "out.weight"]!, weights[p + "out.bias"]!, out: width)
        }

        /// The spline of coordinate j of n: (y, log y′), or the identity outside [−B, B].
        func spline(_ x: Double, _ theta: [Double], _ j: Int, _ n: Int) -> (Double, Double) {
            let k = bins!
            guard x > -bound, x < bound else { return (x, 0) }
            func knots(_ block: Int) -> [Double] {
                let raw = (0..<k).map { theta[(block * k + $0) * n + j] }
                let top = raw.max()!
                let e = raw.map { exp($0 - top) }
                let total = e.reduce(0, +)
                var cumulative = [0.0]
                for w in e {
                    let size: Double = floor + (1 - floor * Double(k)) * w / total
                    cumulative.append(cumulative.last! + size)
                }
                var knots = cumulative.map { 2 * bound * $0 - bound }
                knots[0] = -bound; knots[k] = bound
                return knots
            }
            let xs = knots(0), ys = knots(1)
            var d: [Double] = [1]
            for i in 1..<k {
                let r: Double = theta[(2 * k + i - 1) * n + j] + shift
                d.append(minimumDerivative + (r > 30 ? r : log1p(exp(r))))
            }
            d.append(1)
            let i = (0..<k).last { xs[$0] <= x }!
            let (w, h) = (xs[i + 1] - xs[i], ys[i + 1] - ys[i])
            let s = h / w, xi = (x - xs[i]) / w
            let tau: Double = xi * (1 - xi)
            let denominator: Double = s + (d[i] + d[i + 1] - 2 * s) * tau
            let numerator: Double = h * (s * xi * xi + d[i] * tau)
            let y: Double = ys[i] + numerator / denominator
            let inner: Double = d[i + 1] * xi * xi + 2 * s * tau + d[i] * (1 - xi) * (1 - xi)
            let slope: Double = s * s * inner / (denominator * denominator)
            return (y, log(slope))
        }

        /// u = f_L ∘ … ∘ f_1((x − μ) / σ) and log |det ∂u/∂x|.
        func forward(_ x: [Double], mean: [Double], logVariance: [Double], context: [Double]) -> ([Double], Double) {
            var z: [Double] = (0..<size).map { (x[$0] - mean[$0]) * exp(-0.5 * logVariance[$0]) }
            var logDeterminant: Double = logVariance.reduce(0) { $0 - 0.5 * $1 }
            for layer in 0..<transforms {
                let (kept, moved) = split(layer)
                let n = moved.count
                let perCoordinate = bins.map { 3 * $0 - 1 } ?? 2
                let theta = conditioner(layer, kept: kept.map { z[$0] }, context: context, width: perCoordinate * n)
                for (j, coordinate) in moved.enumerated() {
                    if bins == nil {
                        let a = 2 * tanh(theta[n + j] / 2)
                        z[coordinate] = z[coordinate] * exp(a) + theta[j]
                        logDeterminant += a
                    } else {
                        let (y, logSlope) = spline(z[coordinate], theta, j, n)
                        z[coordinate] = y
                        logDeterminant += logSlope
                    }
                }
            }
            return (z, logDeterminant)
        }

        /// −log p(x) = ½ Σ (u² + log 2π) − log |det ∂u/∂x|.
        func nll(_ x: [Double], mean: [Double], logVariance: [Double], context: [Double]) -> Double {
            let (u, logDeterminant) = forward(x, mean: mean, logVariance: logVariance, context: context)
            let squares: Double = u.reduce(0) { $0 + $1 * $1 }
            let constant: Double = 0.5 * Double(size) * Reference.float32(log(2 * Double.pi))
            return 0.5 * squares + constant - logDeterminant
        }
    }

    // MARK: - Graphs

    static func family(bins: Int?, transforms: Int, hidden: Int) -> any DistributionFamily {
        var options = ["transforms": transforms, "hidden": hidden]
        if let bins { options["bins"] = bins }
        return bins == nil ? AffineFlow(options: options) : SplineFlow(options: options)
    }

    /// The family's own parameters, drawn so that every transform is well away from the
    /// identity: conditioner weights of scale `scale`, biases too.
    static func ownWeights(_ family: any DistributionFamily, size: Int, scale: Double, _ random: inout TestRandom) -> [String: [Double]] {
        Dictionary(uniqueKeysWithValues: family.ownParameters(size: size).map { p in
            (p.name, (0..<p.shape.count).map { _ in scale * random.normal() })
        })
    }

    /// A flow family with conditioner weights of scale `scale` drawn from `seed`, the reference
    /// with the same weights, and the generator to draw the rest of the test's numbers from.
    static func flow(bins: Int?, size: Int, transforms: Int, hidden: Int, scale: Double, seed: UInt64)
        -> (any DistributionFamily, [String: [Double]], Reference, TestRandom) {
        let family = Self.family(bins: bins, transforms: transforms, hidden: hidden)
        var random = TestRandom(seed: seed)
        let weights = ownWeights(family, size: size, scale: scale, &random)
        return (family, weights, Reference(size: size, transforms: transforms, hidden: hidden, bins: bins, weights: weights), random)
    }

    /// The three heads as inputs of `rows` rows.
    static func heads(_ b: inout Builder, rows: Int, size: Int, hidden: Int) throws -> [Int] {
        try [("mean", size), ("log_variance", size), ("context", hidden)].map { try b.input($0.0, [rows, $0.1]) }
    }

    /// Repeats one row to `n`, as the sample program does.
    static func toBatch(_ n: Int) -> SamplingContext {
        SamplingContext { b, x in try b.add(.broadcast(axis: 0, to: [n, b.shape(x).dims[1]]), [b.add(.sum(axis: 0), [x])]) }
    }

    /// One program over the family's own parameters (and `extra` parameters), built by `build`:
    /// the interpreted program, its parameters, and the graph before planning.
    static func program<T: Scalar>(_: T.Type, _ family: any DistributionFamily, size: Int, extra: [Parameter] = [],
                                   weights: [String: [Double]], name: String = "p",
                                   _ build: (inout Builder, [Int]) throws -> Void) throws -> (InterpretedProgram<T>, ParameterStore<T>, Graph) {
        let own = family.ownParameters(size: size).map { Parameter(name: $0.name, kind: .weight, shape: $0.shape, initializer: $0.initializer) }
        var b = Builder(Program(name: name), parameters: own + extra)
        let nodes = try own.map { try b.parameter($0.name) }
        try build(&b, nodes)
        let raw = Graph(name: "flow", parameters: own + extra, programs: [b.program])
        let graph = planMemory(eliminateDeadCode(raw))
        try graph.verify(after: "test")
        let store = ParameterStore<T>(graph)
        for (name, values) in weights where graph.parameter(name) != nil { store[name] = values.map { T($0) } }
        return (try InterpretedProgram(graph.programs[0], parameters: store), store, raw)
    }

    // MARK: - Tests

    /// −log q(x) from the graph, in float64 and float32, against the reference, for the spline
    /// (3 coordinates: one kept, two transformed, then the reverse) and the affine flow; rows
    /// reach beyond the spline's interval, into the identity tails.
    func testDensityMatchesTheChangeOfVariablesInFloat64() throws {
        for bins in [5, nil] as [Int?] {
            let (rows, size, hidden) = (6, 3, 5)
            let (family, weights, reference, generator) = Self.flow(bins: bins, size: size, transforms: 3, hidden: hidden, scale: 0.6, seed: 41)
            var random = generator
            func draws(_ n: Int, _ scale: Double) -> [Double] { (0..<n).map { _ in scale * random.normal() } }
            var x = draws(rows * size, 2)
            x[(rows - 1) * size] = 9; x[(rows - 1) * size + 2] = -7
            let inputs: [String: [Double]] = ["x": x, "mean": draws(rows * size, 0.5), "log_variance": draws(rows * size, 0.3),
                                              "context": draws(rows * hidden, 1)]
            func row(_ name: String, _ r: Int, _ width: Int) -> [Double] { Array(inputs[name]![r * width..<(r + 1) * width]) }
            let expected = (0..<rows).map { r in
                reference.nll(row("x", r, size), mean: row("mean", r, size), logVariance: row("log_variance", r, size),
                              context: row("context", r, hidden))
            }
            func build(_ b: inout Builder, _ own: [Int]) throws {
                let heads = try Self.heads(&b, rows: rows, size: size, hidden: hidden)
                b.output("nll", try family.negativeLogDensity(&b, of: b.input("x", [rows, size]), heads: heads + own, size: size))
            }
            let (double, _, _) = try Self.program(Double.self, family, size: size, weights: weights, build)
            let got = double.run(inputs)["nll"]!
            for r in 0..<rows {
                XCTAssertEqual(got[r], expected[r], accuracy: 1e-9 * max(1, abs(expected[r])), "\(family.name) row \(r), float64")
            }
            let (float, _, _) = try Self.program(Float.self, family, size: size, weights: weights, build)
            let single = float.run(inputs.mapValues { $0.map(Float.init) })["nll"]!
            for r in 0..<rows {
                XCTAssertEqual(Double(single[r]), expected[r], accuracy: 1e-4 * max(1, abs(expected[r])), "\(family.name) row \(r), float32")
            }
            // The rows differ from a Gaussian's: the layers are far from the identity.
            let gaussian = (0..<rows).map { r in
                Reference(size: size, transforms: 0, hidden: hidden, bins: bins, weights: [:])
                    .nll(row("x", r, size), mean: row("mean", r, size), logVariance: row("log_variance", r, size), context: [])
            }
            XCTAssertGreaterThan(zip(expected, gaussian).map { abs($0 - $1) }.max()!, 0.1, family.name)
        }
    }

    /// Each transform's inverse undoes its forward map in float32, inside the spline's interval
    /// and in the tails, for parameters of either sign: to 1e-4, or where the map is flat (y′ < 1)
    /// to 1e-4 / y′, as the rounding of y is magnified by 1 / y′ in x.
    func testInverseUndoesForward() throws {
        let transforms: [any CouplingTransform] = [RationalQuadraticSpline(bins: 8), RationalQuadraticSpline(bins: 2), AffineCoupling()]
        for transform in transforms {
            let (rows, count) = (200, 3)
            var random = TestRandom(seed: 42)
            let width = transform.parametersPerCoordinate * count
            let parameters = (0..<rows * width).map { _ in Float(random.normal()) }
            let x = (0..<rows * count).map { _ in Float(random.uniform() * 9 - 4.5) }
            var b = Builder(Program(name: "p"), parameters: [])
            let theta = try b.input("theta", [rows, width]), input = try b.input("x", [rows, count])
            let (y, logDerivative) = try transform.forward(&b, input, parameters: theta, count: count)
            b.output("y", y)
            b.output("log_derivative", logDerivative)
            b.output("x", try transform.inverse(&b, y, parameters: theta, count: count))
            let graph = planMemory(Graph(name: "t", programs: [b.program]))
            let out = try InterpretedProgram<Float>(graph.programs[0], parameters: ParameterStore<Float>(graph)).run(["theta": parameters, "x": x])
            for i in x.indices {
                let slope = exp(out["log_derivative"]![i])
                XCTAssertEqual(out["x"]![i], x[i], accuracy: 1e-4 / min(1, slope), "\(type(of: transform)) element \(i)")
            }
            let moved = zip(out["y"]!, x).filter { abs($0 - $1) > 0.05 }.count
            XCTAssertGreaterThan(moved, x.count / 2, "\(type(of: transform)) moves most points")
            if transform is RationalQuadraticSpline {
                for i in x.indices where abs(x[i]) >= 3 {
                    XCTAssertEqual(out["y"]![i], x[i], "tails are the identity")
                    XCTAssertEqual(out["log_derivative"]![i], 0)
                }
            }
        }
    }

    /// A batch drawn by the family's sample program from one row of heads, as sampling runs it,
    /// in float64: the reference's forward map of each draw gives back its noise.
    func testSamplesMapBackToTheirNoise() throws {
        for bins in [8, nil] as [Int?] {
            let (n, size, hidden) = (300, 3, 6)
            let (family, weights, reference, generator) = Self.flow(bins: bins, size: size, transforms: 4, hidden: hidden, scale: 0.5, seed: 43)
            var random = generator
            let mean = [0.5, -1, 2.0], logVariance = [-0.5, 0.3, 0.0], context = (0..<hidden).map { _ in random.normal() }
            let noise = (0..<n * size).map { _ in random.normal() }
            let (p, _, _) = try Self.program(Double.self, family, size: size, weights: weights) { b, own in
                let heads = try Self.heads(&b, rows: 1, size: size, hidden: hidden)
                let epsilon = try b.input("noise.theta", [n, size])
                b.output("theta", try family.sample(&b, heads: heads + own, noise: [epsilon], size: size, context: Self.toBatch(n)))
            }
            let theta = p.run(["mean": mean, "log_variance": logVariance, "context": context, "noise.theta": noise])["theta"]!
            var moved = 0
            for i in 0..<n {
                let x = (0..<size).map { theta[i * size + $0] }
                let (u, _) = reference.forward(x, mean: mean, logVariance: logVariance, context: context)
                for d in 0..<size {
                    XCTAssertEqual(u[d], noise[i * size + d], accuracy: 1e-8 * max(1, abs(noise[i * size + d])),
                                   "\(family.name) sample \(i), coordinate \(d)")
                    if abs(x[d] - (mean[d] + exp(0.5 * logVariance[d]) * noise[i * size + d])) > 0.05 { moved += 1 }
                }
            }
            XCTAssertGreaterThan(moved, n * size / 2, "\(family.name): the layers move most draws")
        }
    }

    /// A variable of size 1 has no coordinate to keep: each layer's spline depends on the
    /// context alone. Its density integrates to 1 (trapezoids on [−25, 25]), and 100,000 draws
    /// of its sample program have the mean and variance the density gives by quadrature.
    func testOneDimensionalFlowIsADensityAndItsSamplesFollowIt() throws {
        let (size, hidden) = (1, 4)
        let (family, weights, _, generator) = Self.flow(bins: 6, size: size, transforms: 3, hidden: hidden, scale: 0.3, seed: 44)
        var random = generator
        XCTAssertNil(weights["flow.0.kept.weight"], "nothing to keep")
        let (mean, logVariance) = (0.4, 0.6)
        let context = (0..<hidden).map { _ in random.normal() }

        let grid = 100_001, (low, high) = (-25.0, 25.0)
        let step = (high - low) / Double(grid - 1)
        let xs = (0..<grid).map { low + Double($0) * step }
        let (density, _, _) = try Self.program(Double.self, family, size: size, weights: weights) { b, own in
            let heads = try Self.heads(&b, rows: grid, size: size, hidden: hidden)
            b.output("nll", try family.negativeLogDensity(&b, of: b.input("x", [grid, size]), heads: heads + own, size: size))
        }
        let nll = density.run(["x": xs, "mean": Array(repeating: mean, count: grid), "log_variance": Array(repeating: logVariance, count: grid),
                               "context": (0..<grid).flatMap { _ in context }])["nll"]!
        let p = nll.map { exp(-$0) }
        func integral(_ f: (Int) -> Double) -> Double {
            var total: Double = -0.5 * (f(0) + f(grid - 1))
            for i in 0..<grid { total += f(i) }
            return step * total
        }
        XCTAssertEqual(integral { p[$0] }, 1, accuracy: 1e-5)
        let m = integral { p[$0] * xs[$0] }
        let variance = integral { p[$0] * (xs[$0] - m) * (xs[$0] - m) }
        // Not the Gaussian of the heads: the splines reshape it.
        XCTAssertGreaterThan(abs(m - mean) + abs(variance - exp(logVariance)), 0.05)

        let n = 100_000
        let (sampler, _, _) = try Self.program(Float.self, family, size: size, weights: weights) { b, own in
            let heads = try Self.heads(&b, rows: 1, size: size, hidden: hidden)
            b.output("theta", try family.sample(&b, heads: heads + own, noise: [b.input("noise.theta", [n, size])], size: size,
                                                context: Self.toBatch(n)))
        }
        let draws = sampler.run(["mean": [Float(mean)], "log_variance": [Float(logVariance)], "context": context.map(Float.init),
                                 "noise.theta": (0..<n).map { _ in Float(random.normal()) }])["theta"]!.map(Double.init)
        let sampleMean = draws.reduce(0, +) / Double(n)
        let sampleVariance = draws.reduce(0) { $0 + ($1 - sampleMean) * ($1 - sampleMean) } / Double(n - 1)
        XCTAssertEqual(sampleMean, m, accuracy: 5 * (variance / Double(n)).squareRoot())
        XCTAssertEqual(sampleVariance, variance, accuracy: 0.03 * variance)
    }

    /// Σ_rows r · nll, differentiated by autodiff with respect to x, the heads and every weight
    /// of the conditioners, against central finite differences in float64.
    func testGradientsMatchFiniteDifferences() throws {
        for bins in [4, nil] as [Int?] {
            let (rows, size, hidden) = (3, 3, 4)
            let (family, flowWeights, _, generator) = Self.flow(bins: bins, size: size, transforms: 2, hidden: hidden, scale: 0.6, seed: 45)
            var random = generator
            var weights = flowWeights
            let shapes = [("x", size), ("mean", size), ("log_variance", size), ("context", hidden)]
            let extra = shapes.map { Parameter(name: $0.0, kind: .weight, shape: [rows, $0.1], initializer: .zeros) }
            for p in extra { weights[p.name] = (0..<p.shape.count).map { _ in random.normal() } }
            let (run, store, graph) = try Self.program(Double.self, family, size: size, extra: extra, weights: weights,
                                                       name: "gradients") { b, own in
                let values = try shapes.map { try b.parameter($0.0) }
                let nll = try family.negativeLogDensity(&b, of: values[0], heads: Array(values[1...]) + own, size: size)
                b.output("loss", try b.add(.sum(axis: nil), [b.mul(nll, b.input("r", [rows]))]))
            }
            let differentiated = planMemory(eliminateDeadCode(try differentiate(graph, programs: ["gradients"])))
            let gradients = try InterpretedProgram<Double>(differentiated.programs[0], parameters: store)
            let r = (0..<rows).map { _ in random.uniform() + 0.5 }
            let analytic = gradients.run(["r": r])
            for p in graph.parameters {
                let original = store[p.name]
                let numeric = centralDifferences(at: original) { values in
                    store[p.name] = values
                    return run.run(["r": r])["loss"]![0]
                }
                store[p.name] = original
                let got = try XCTUnwrap(analytic["grad." + p.name], p.name)
                for i in numeric.indices {
                    XCTAssertEqual(got[i], numeric[i], accuracy: 1e-6 * max(1, abs(numeric[i])), "\(family.name) d loss / d \(p.name)[\(i)]")
                }
            }
        }
    }
}
