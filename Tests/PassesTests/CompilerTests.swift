import Runtime
import TestSupport
import XCTest
import IR
import Interpreter
import Passes
import Spec

final class CompilerTests: XCTestCase {

    static func specFiles(_ folder: String = "specs") throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: repository.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" && $0.lastPathComponent != "schema.json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// generated/ holds exactly what compiling specs/ gives, and generated/beyond/ what
    /// compiling specs/beyond/ gives. Regenerate with `swift run sbic compile specs/*vae.json`
    /// and `swift run sbic compile specs/beyond/*.json -o generated/beyond`.
    func testGeneratedGraphsAreUpToDate() throws {
        XCTAssertEqual(try Self.specFiles().count, 22, "the paper's 11 problems × 2 models")
        XCTAssertFalse(try Self.specFiles("specs/beyond").isEmpty)
        for (specs, generated) in [("specs", "generated"), ("specs/beyond", "generated/beyond")] {
            for url in try Self.specFiles(specs) {
                let name = url.deletingPathExtension().lastPathComponent
                let (graph, _) = try Compiler().compile(try ModelSpec.load(path: url.path, tasks: builtInTasks))
                let golden = repository.appendingPathComponent("\(generated)/\(name).sbig")
                let expected = try? String(contentsOf: golden, encoding: .utf8)
                XCTAssertTrue(expected == graph.text, "\(generated)/\(name).sbig is stale: compile \(specs)/\(name).json into \(generated)/")
                // And the text form reads back to the same graph.
                if let expected { XCTAssertEqual(try Graph.parse(expected), graph) }
            }
            // And nothing is left there from a spec that is gone.
            let compiled = try FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent(generated).path)
                .filter { $0.hasSuffix(".sbig") }.map { String($0.dropLast(5)) }
            XCTAssertEqual(Set(compiled), Set(try Self.specFiles(specs).map { $0.deletingPathExtension().lastPathComponent }), generated)
        }
    }

    /// Fusion and memory planning change no result: every program of a real spec gives the
    /// same outputs and parameter updates fused and unfused (each unfused value in its own buffer).
    func testFusionAndMemoryPlanPreserveResults() throws {
        let (_, report) = try fusedAndUnfusedAgree("specs/two_moons_upvae.json")
        XCTAssertGreaterThan(report.fusion.dense, 0)
        XCTAssertGreaterThan(report.fusion.elementwiseChains, 0)
    }

    /// The same for a spline flow, whose gradients sum one pad per sliced column of each
    /// coupling layer's spline parameters (which fusion makes one concat per layer).
    func testFusionPreservesAFlowsResults() throws {
        let (_, report) = try fusedAndUnfusedAgree("specs/beyond/two_moons_npe_flow.json")
        XCTAssertGreaterThan(report.fusion.padSumsConcatenated, 0)
    }

    @discardableResult
    private func fusedAndUnfusedAgree(_ path: String) throws -> (Graph, CompileReport) {
        let spec = try ModelSpec.load(path: repository.appendingPathComponent(path).path)
        let (fused, report) = try Compiler().compile(spec)
        XCTAssertEqual(fused.program("train_step")!.nodes.filter { if case .adamw = $0.op { return true }; return false }.count, 1)

        var unfused = try lower(spec)
        unfused = try addOptimizer(try differentiate(unfused, programs: ["train_step", "gradients"]), to: "train_step",
                                   AdamWSettings(adamw: AdamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01), clipNorm: 3))
        unfused = unfused.mapPrograms { p in
            var p = p
            var next = 0
            p.memory = MemoryPlan(offsets: p.nodes.map { n in
                guard n.needsStorage else { return nil }
                defer { next += n.shape.count }
                return next
            }, arenaFloats: 0)
            p.memory!.arenaFloats = next
            return p
        }
        try unfused.verify(after: "test")

        var state: UInt64 = 42
        func draw() -> Double {  // a fixed stream of values in [-1, 1)
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 52) - 1
        }
        let a = ParameterStore<Float>(fused), b = ParameterStore<Float>(unfused)
        a.initialize(normal: draw)
        b.copy(from: a)
        for name in ["gradients", "loss", "sample", "train_step"] {
            let x = try InterpretedProgram(fused.program(name)!, parameters: a)
            let y = try InterpretedProgram(unfused.program(name)!, parameters: b)
            var inputs: [String: [Float]] = [:]
            for (input, shape) in x.program.inputs { inputs[input] = (0..<shape.count).map { _ in Float(draw()) } }
            inputs["adamw.learning_rate"] = inputs["adamw.learning_rate"].map { _ in [1e-3] }
            let (ox, oy) = (x.run(inputs), y.run(inputs))
            XCTAssertEqual(Set(ox.keys), Set(oy.keys))
            for (key, values) in ox {
                for (u, v) in zip(values, oy[key]!) { XCTAssertEqual(u, v, accuracy: 1e-5 * max(1, abs(v)), "\(name).\(key)") }
            }
        }
        for p in fused.parameters { XCTAssertEqual(a[p.name], b[p.name], "\(p.name) after train_step") }
        return (fused, report)
    }

    func testMemoryLimitIsEnforcedWithTheNumbers() throws {
        let spec = try ModelSpec.load(path: repository.appendingPathComponent("specs/two_moons_cpvae.json").path)
        XCTAssertThrowsError(try Compiler(options: .init(memoryLimit: 1_572_864)).compile(spec)) { error in
            XCTAssertTrue("\(error)".hasPrefix("the compiled graph needs "), "\(error)")
            XCTAssertTrue("\(error)".contains("more than the limit of 1.5 MiB"), "\(error)")
        }
        // An absurd width is refused from its parameter count alone, before anything is planned.
        let huge = """
            { "name": "huge", "variables": { "theta": 2, "y": 2, "z": 2 },
              "networks": {
                "encoder": { "inputs": ["y", "theta"], "hidden": [1000000000], "output": { "z": "gaussian" } },
                "prior": { "inputs": ["y"], "hidden": [8], "output": { "z": "gaussian" } },
                "decoder": { "inputs": ["y", "z"], "hidden": [8], "output": { "theta": "gaussian" } } },
              "loss": [ { "kl": ["encoder", "prior"] }, { "nll": "decoder" } ],
              "sample": { "given": "y", "path": ["prior", "decoder"], "target": "theta" } }
            """
        XCTAssertThrowsError(try Compiler(options: .init(memoryLimit: 1 << 34)).compile(try ModelSpec.parse(huge))) { error in
            XCTAssertTrue("\(error)".hasPrefix("the weights and their optimizer state need 100.6 GiB, more than the limit of 16.0 GiB"), "\(error)")
        }
    }

    /// Sizes no machine could hold go through lowering, differentiation, fusion and planning
    /// with saturating arithmetic, and are refused with a number; none traps.
    func testAbsurdSizesAreRefusedNotAttempted() throws {
        func spec(width: Int = 8, batch: Int = 32, sampleBatch: Int = 1000, z: Int = 2) -> String {
            """
            { "name": "absurd", "variables": { "theta": 2, "y": 2, "z": \(z) },
              "networks": {
                "encoder": { "inputs": ["y", "theta"], "hidden": [\(width), \(width)], "output": { "z": "gaussian" } },
                "prior": { "inputs": ["y"], "hidden": [8], "output": { "z": "gaussian" } },
                "decoder": { "inputs": ["y", "z"], "hidden": [8], "output": { "theta": "gaussian" } } },
              "loss": [ { "kl": ["encoder", "prior"] }, { "nll": "decoder" } ],
              "sample": { "given": "y", "path": ["prior", "decoder"], "target": "theta", "batch_size": \(sampleBatch) },
              "training": { "batch_size": \(batch) } }
            """
        }
        func refusal(_ text: String) -> String {
            do {
                _ = try Compiler().compile(try ModelSpec.parse(text))
                return "compiled"
            } catch {
                return "\(error)"
            }
        }
        // Two layers of 2^31 − 1: 2^62 weights, whose bytes overflow Int and saturate.
        XCTAssertTrue(refusal(spec(width: 2_147_483_647)).hasPrefix("the weights and their optimizer state need 8.0 EiB"))
        XCTAssertTrue(refusal(spec(batch: 1_000_000_000)).hasPrefix("the compiled graph needs "), refusal(spec(batch: 1_000_000_000)))
        XCTAssertTrue(refusal(spec(sampleBatch: 2_147_483_647)).hasPrefix("the compiled graph needs "))
        XCTAssertTrue(refusal(spec(batch: 2_147_483_647, z: 2_147_483_647)).contains("more than the limit of"))
        // A variable of 2^40 is refused by the spec's own range, with its place.
        XCTAssertTrue(refusal(spec(z: 1 << 40)).contains("variables.z: "), refusal(spec(z: 1 << 40)))
    }

    func testOptimizerStateAndProgramsAreComplete() throws {
        let spec = try ModelSpec.load(path: repository.appendingPathComponent("specs/slcp_cpvae.json").path)
        let (graph, report) = try Compiler().compile(spec)
        XCTAssertEqual(graph.programs.map(\.name), ["train_step", "gradients", "loss", "sample", "log_density"])
        let weights = graph.parameters.filter { $0.kind == .weight }
        XCTAssertEqual(report.weights, weights.reduce(0) { $0 + $1.shape.count })
        XCTAssertEqual(graph.parameters.count, 3 * weights.count + 1, "m and v for every weight, and the step")
        let train = graph.program("train_step")!
        XCTAssertEqual(Set(train.inputs.map(\.name)), ["theta", "y", "noise.z", "adamw.learning_rate"])
        XCTAssertEqual(train.outputs.map(\.name), ["loss", "grad_norm"])
        XCTAssertEqual(graph.program("sample")!.inputs.map(\.shape), [[1, 8], [1000, 4], [1000, 5]], "y; the noise of z (4) and of θ (5)")
        XCTAssertEqual(graph.metadata["training.batch_size"], "16")
    }

    /// The compile report says how each KL term is computed, and which outputs are bounded to
    /// which box: a mixture prior is estimated by Monte Carlo, a Gaussian one in closed form.
    func testReportSaysHowEachKLIsComputed() throws {
        let paper = try ModelSpec.load(path: repository.appendingPathComponent("specs/two_moons_cpvae.json").path)
        let closed = try Compiler().compile(paper).1.text
        XCTAssertTrue(closed.contains("  loss[0] kl(encoder ‖ prior): closed form\n"), closed)
        XCTAssertFalse(closed.contains("bounded"), closed)

        let text = try String(contentsOf: repository.appendingPathComponent("specs/beyond/slcp_cpvae_bounded.json"), encoding: .utf8)
        // The prior network's output is the second "z": "gaussian"; the encoder's is the first.
        let parts = text.components(separatedBy: #""z": "gaussian""#)
        XCTAssertEqual(parts.count, 3)
        let mixturePrior = parts[0] + #""z": "gaussian""# + parts[1] + #""z": { "family": "mixture", "components": 3 }"# + parts[2]
        XCTAssertNotEqual(mixturePrior, text)
        let (graph, report) = try Compiler().compile(try ModelSpec.parse(mixturePrior, tasks: builtInTasks))
        XCTAssertTrue(report.text.contains("  loss[0] kl(encoder ‖ prior): Monte Carlo (1 sample)\n"), report.text)
        XCTAssertTrue(report.text.contains("  decoder: theta bounded to [-3, 3]^5 (logit/sigmoid)\n"), report.text)
        // The estimate reads the encoder's sample: the loss takes no noise beyond z's.
        XCTAssertEqual(Set(graph.program("loss")!.inputs.map(\.name)), ["theta", "y", "noise.z"])

        // A flow prior, whose density is the flow's own, compiles to the estimate too.
        let flowPrior = parts[0] + #""z": "gaussian""# + parts[1]
            + #""z": { "family": "affine_flow", "transforms": 2, "hidden": 8 }"# + parts[2]
        let flowReport = try Compiler().compile(try ModelSpec.parse(flowPrior, tasks: builtInTasks)).1.text
        XCTAssertTrue(flowReport.contains("  loss[0] kl(encoder ‖ prior): Monte Carlo (1 sample)\n"), flowReport)
    }
}
