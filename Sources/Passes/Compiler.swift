import Foundation
import IR
import Spec

/// The compile pipeline: spec → graph → autodiff → optimizer → dead code → fusion → memory plan,
/// with the verifier after every pass.
public struct Compiler {
    public struct Options {
        /// Refuse graphs whose parameters and arena need more than this many bytes.
        public var memoryLimit: Int
        /// Called with each pass's name and result (for `--print-after-all`).
        public var afterEachPass: ((String, Graph) -> Void)?
        public init(memoryLimit: Int = Compiler.physicalMemory, afterEachPass: ((String, Graph) -> Void)? = nil) {
            self.memoryLimit = memoryLimit
            self.afterEachPass = afterEachPass
        }
    }

    public static var physicalMemory: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    public var options: Options
    public init(options: Options = Options()) { self.options = options }

    public func compile(_ spec: ModelSpec) throws -> (Graph, CompileReport) {
        let t = spec.training
        let settings = AdamWSettings(
            adamw: AdamW(beta1: Float(t.beta1), beta2: Float(t.beta2), epsilon: Float(t.epsilon), weightDecay: Float(t.weightDecay)),
            clipNorm: Float(t.clipNorm))
        var (graph, report) = try compile(lowered: lower(spec), differentiating: Interface.Programs.differentiated, optimizer: settings)
        report.model = ModelReport(spec)
        return (graph, report)
    }

    /// Runs the passes on a lowered graph: the scalar `loss` of each program in
    /// `differentiating` gets gradients, and `train_step` gets the optimizer.
    public func compile(lowered: Graph, differentiating: [String], optimizer settings: AdamWSettings) throws -> (Graph, CompileReport) {
        let start = Date()
        var graph = lowered
        try graph.verify(after: "lower")
        options.afterEachPass?("lower", graph)
        // Before anything is planned: the weights with AdamW's two moments may already be too much.
        let stateBytes = saturatingMultiply(graph.parameterBytes, 3)
        if stateBytes > options.memoryLimit {
            throw CompileError(message: "the weights and their optimizer state need "
                + "\(formatBytes(stateBytes)), more than the limit of "
                + "\(formatBytes(options.memoryLimit)); use smaller widths, or raise --memory-limit")
        }

        var fusion = FusionStatistics()
        var opsBeforeFusion: [String: Int] = [:]
        let passes: [(String, (Graph) throws -> Graph)] = [
            ("autodiff", { try differentiate($0, programs: differentiating) }),
            ("optimizer", { try addOptimizer($0, to: Interface.Programs.trainStep, settings) }),
            ("dce", eliminateDeadCode),
            ("fuse", { g in
                for p in g.programs { opsBeforeFusion[p.name] = p.opCount }
                let (fused, stats) = fuse(g)
                fusion = stats
                return fused
            }),
            // Constants that fusion inlined everywhere are dead now.
            ("dce", eliminateDeadCode),
            ("plan-memory", planMemory),
        ]
        for (name, pass) in passes {
            graph = try pass(graph)
            try graph.verify(after: name)
            options.afterEachPass?(name, graph)
        }
        let arena = graph.programs.map { $0.memory!.arenaBytes }.max() ?? 0
        try checkMemory(graph, arenaBytes: arena)

        let report = CompileReport(
            name: graph.name,
            weights: graph.parameters.filter { $0.kind == .weight }.reduce(0) { saturatingAdd($0, $1.shape.count) },
            parameterBytes: graph.parameterBytes,
            programs: graph.programs.map {
                .init(name: $0.name, opsBefore: opsBeforeFusion[$0.name] ?? 0, opsAfter: $0.opCount, arenaBytes: $0.memory!.arenaBytes)
            },
            fusion: fusion,
            seconds: Date().timeIntervalSince(start))
        return (graph, report)
    }

    private func checkMemory(_ graph: Graph, arenaBytes: Int) throws {
        let need = saturatingAdd(graph.parameterBytes, arenaBytes)
        guard need <= options.memoryLimit else {
            throw CompileError(message: "the compiled graph needs \(formatBytes(need)) (parameters and optimizer state "
                + "\(formatBytes(graph.parameterBytes)), largest arena \(formatBytes(arenaBytes))), more than the limit of "
                + "\(formatBytes(options.memoryLimit)); use smaller widths or batch sizes, or raise --memory-limit")
        }
    }
}

public struct CompileError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension Program {
    /// Ops that compute something: leaves (inputs, parameters, constants) are not counted.
    public var opCount: Int {
        nodes.filter { !$0.op.traits.contains(.leaf) }.count
    }
}

/// What `sbic compile` prints.
public struct CompileReport: Sendable {
    public struct ProgramReport: Sendable {
        public var name: String
        public var opsBefore: Int
        public var opsAfter: Int
        public var arenaBytes: Int
    }
    public var name: String
    public var weights: Int
    public var parameterBytes: Int
    public var programs: [ProgramReport]
    public var fusion: FusionStatistics
    public var seconds: Double
    /// How the loss's KL terms are computed and which outputs are bounded; nil for a graph
    /// compiled without its spec.
    public var model: ModelReport?

    public var text: String {
        var s = "\(name): \(weights) weights, \(formatBytes(parameterBytes)) with optimizer state\n"
        for p in programs {
            s += "  \(p.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(String(format: "%4d", p.opsBefore)) ops → "
                + "\(String(format: "%4d", p.opsAfter)) after fusion, arena \(formatBytes(p.arenaBytes))\n"
        }
        s += "  fused: \(fusion.dense) dense layers (matmul + bias + activation), "
            + "\(fusion.elementwiseChains) element-wise loops of \(fusion.elementwiseOpsAbsorbed) ops, "
            + "\(fusion.adamwMerged) AdamW updates into 1\n"
        s += "  arena \(formatBytes(programs.map(\.arenaBytes).max() ?? 0)) (one program runs at a time); "
            + "compiled in \(String(format: "%.1f", seconds * 1000)) ms\n"
        return s + (model?.text ?? "")
    }
}

/// What the compile report says about the model beyond its programs: for each KL term of the
/// loss, whether it is computed in closed form or estimated by Monte Carlo; for each bounded
/// output, its box.
public struct ModelReport: Sendable {
    public var kl: [(term: String, estimate: KLEstimate)]
    public var bounded: [(network: String, variable: String, box: Box)]

    public init(_ spec: ModelSpec) {
        kl = spec.loss.enumerated().compactMap { index, term in
            guard case let .kl(q, p, _) = term,
                  let estimate = KLEstimate(posterior: spec.network(q)!.distribution.capabilities,
                                            prior: spec.network(p)!.distribution.capabilities) else { return nil }
            return ("loss[\(index)] kl(\(q) ‖ \(p))", estimate)
        }
        bounded = spec.networks.compactMap { net in net.bounds.map { (net.name, net.output, $0) } }
    }

    /// "  loss[0] kl(encoder ‖ prior): closed form", one line a term; then
    /// "  decoder: theta in [-1, 1]^10" (or each component's interval), one line an output.
    public var text: String {
        var s = kl.map { "  \($0.term): \($0.estimate.rawValue)\n" }.joined()
        for (network, variable, box) in bounded {
            let intervals = zip(box.lower, box.upper).map { "[\(format($0)), \(format($1))]" }
            let shown = Set(intervals).count == 1 ? "\(intervals[0])^\(box.size)" : intervals.joined(separator: " × ")
            s += "  \(network): \(variable) bounded to \(shown) (logit/sigmoid)\n"
        }
        return s
    }

    private func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }
}
