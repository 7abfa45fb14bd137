/// A graph that breaks an invariant of the IR. `pass` names the pass that left it so.
public struct VerificationError: Error, CustomStringConvertible, Sendable {
    public var pass: String
    public var program: String
    public var node: Int?
    public var message: String
    public var description: String {
        "after \(pass): " + (program == "-" ? "" : "program \(program)" + (node.map { ", %\($0)" } ?? "") + ": ") + message
    }
}

extension Graph {
    /// Checks every invariant the passes and back ends rely on; run after every pass.
    public func verify(after pass: String) throws {
        var names = Set<String>()
        for p in parameters {
            func fail(_ message: String) -> VerificationError {
                VerificationError(pass: pass, program: "-", node: nil, message: "parameter \(p.name) " + message)
            }
            guard names.insert(p.name).inserted else { throw fail("declared twice") }
            guard p.shape.hasPositiveDimensions else { throw fail("has shape \(p.shape); every dimension must be positive") }
            switch p.initializer {
            case .zeros: break
            case .kaimingNormal(let fanIn) where fanIn <= 0:
                throw fail("has fan-in \(fanIn); it must be positive")
            case let .glorotUniform(fanIn, fanOut) where fanIn <= 0 || fanOut <= 0:
                throw fail("has fan-in \(fanIn) and fan-out \(fanOut); both must be positive")
            case .kaimingNormal, .glorotUniform: break
            }
        }
        var programNames = Set<String>()
        for program in programs {
            func fail(_ node: Int?, _ message: String) -> VerificationError {
                VerificationError(pass: pass, program: program.name, node: node, message: message)
            }
            guard programNames.insert(program.name).inserted else { throw fail(nil, "program defined twice") }
            var written = Set<String>()
            var leaves = Set<String>()
            for (i, node) in program.nodes.enumerated() {
                guard node.shape.hasPositiveDimensions else { throw fail(i, "shape \(node.shape): every dimension must be positive") }
                for o in node.operands {
                    guard o >= 0, o < i else { throw fail(i, "operand %\(o) is not defined before use") }
                    guard program.nodes[o].op.hasResult else { throw fail(i, "operand %\(o) has no value") }
                    if case .parameter(let name) = program.nodes[o].op, written.contains(name) {
                        throw fail(i, "reads parameter \(name) after it was written")
                    }
                }
                switch node.op {
                case .parameter(let name):
                    guard let p = parameter(name) else { throw fail(i, "unknown parameter \(name)") }
                    guard p.shape == node.shape else { throw fail(i, "parameter \(name) is \(p.shape), node says \(node.shape)") }
                    guard leaves.insert("param " + name).inserted else { throw fail(i, "parameter \(name) read by two nodes") }
                case .input(let name):
                    guard leaves.insert("input " + name).inserted else { throw fail(i, "input \(name) declared twice") }
                default:
                    let expected: Shape
                    do { expected = try node.op.resultShape(node.operands.map { program.nodes[$0].shape }) } catch {
                        throw fail(i, "\(error)")
                    }
                    guard expected == node.shape else { throw fail(i, "shape \(node.shape), but the op gives \(expected)") }
                }
                for target in node.writtenParameters(in: program) {
                    guard case .parameter(let name) = program.nodes[target].op else {
                        throw fail(i, "writes %\(target), which is not a parameter")
                    }
                    guard written.insert(name).inserted else { throw fail(i, "writes parameter \(name) twice") }
                }
            }
            var outputNames = Set<String>()
            for out in program.outputs {
                guard outputNames.insert(out.name).inserted else { throw fail(nil, "output \(out.name) defined twice") }
                guard out.node >= 0, out.node < program.nodes.count, program.nodes[out.node].op.hasResult else {
                    throw fail(nil, "output \(out.name) names no value")
                }
            }
            if let plan = program.memory { try verify(plan, of: program, fail) }
        }
    }

    private func verify(_ plan: MemoryPlan, of program: Program,
                        _ fail: (Int?, String) -> VerificationError) throws {
        guard plan.offsets.count == program.nodes.count else { throw fail(nil, "memory plan covers \(plan.offsets.count) of \(program.nodes.count) nodes") }
        let live = program.liveRanges()
        var placed: [(node: Int, start: Int, end: Int)] = []
        for (i, node) in program.nodes.enumerated() {
            guard node.needsStorage == (plan.offsets[i] != nil) else {
                throw fail(i, node.needsStorage ? "has no place in the arena" : "has a place in the arena but no value to keep")
            }
            guard let offset = plan.offsets[i] else { continue }
            let end = saturatingAdd(offset, node.shape.count)
            guard offset >= 0, end <= plan.arenaFloats else { throw fail(i, "lies outside the arena") }
            for other in placed where other.start < end && offset < other.end && live[i].overlaps(live[other.node]) {
                throw fail(i, "shares arena memory with %\(other.node) while both are live")
            }
            placed.append((i, offset, end))
        }
    }
}

extension Node {
    /// Whether the node's value is kept in the arena (parameters live in their own storage,
    /// scalar constants are inlined, side effects have no value).
    public var needsStorage: Bool {
        if case .input = op { return true }
        return op.hasResult && !op.traits.contains(.leaf)
    }

    /// The parameter nodes whose storage this node overwrites.
    public func writtenParameters(in program: Program) -> [Int] {
        switch op {
        case .assign: return [operands[0]]
        case .adamw:
            return stride(from: 0, to: operands.count - 3, by: 4).flatMap { [operands[$0], operands[$0 + 2], operands[$0 + 3]] }
        default: return []
        }
    }
}

extension Program {
    /// The closed interval of node positions over which each value must be kept: from its
    /// definition to its last use (outputs: to the end; inputs: the whole program).
    public func liveRanges() -> [ClosedRange<Int>] {
        var last = Array(0..<nodes.count)
        for (i, n) in nodes.enumerated() { for o in n.operands { last[o] = max(last[o], i) } }
        for o in outputs { last[o.node] = nodes.count }
        return nodes.indices.map { i in
            // An input holds its value from one run to the next, until the caller writes it
            // again: settings (a learning rate) and the sampler's observation are written once.
            if case .input = nodes[i].op { return 0...nodes.count }
            return i...last[i]
        }
    }
}
