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
        // Looked up by name, once per parameter node: a search per node was quadratic.
        let parameterShapes = Dictionary(parameters.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
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
                    guard let shape = parameterShapes[name] else { throw fail(i, "unknown parameter \(name)") }
                    guard shape == node.shape else { throw fail(i, "parameter \(name) is \(shape), node says \(node.shape)") }
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

    /// Every node with a value has a place inside the arena, and no two values that are live
    /// at the same time share memory. Two live ranges overlap exactly when one starts inside
    /// the other, so a sweep over positions that checks each value, when it becomes live,
    /// against the values live then finds every conflict: O(n log n), with the live values
    /// kept by offset in a segment tree that answers "the furthest end among the live values
    /// that start before x".
    private func verify(_ plan: MemoryPlan, of program: Program,
                        _ fail: (Int?, String) -> VerificationError) throws {
        guard plan.offsets.count == program.nodes.count else { throw fail(nil, "memory plan covers \(plan.offsets.count) of \(program.nodes.count) nodes") }
        var extents: [(node: Int, start: Int, end: Int)] = []
        for (i, node) in program.nodes.enumerated() {
            guard node.needsStorage == (plan.offsets[i] != nil) else {
                throw fail(i, node.needsStorage ? "has no place in the arena" : "has a place in the arena but no value to keep")
            }
            guard let offset = plan.offsets[i] else { continue }
            let end = saturatingAdd(offset, node.shape.count)
            guard offset >= 0, end <= plan.arenaFloats else { throw fail(i, "lies outside the arena") }
            extents.append((i, offset, end))
        }
        let live = program.liveRanges()
        let starts = Array(Set(extents.map(\.start))).sorted()
        var slot: [Int: Int] = [:]
        for (k, s) in starts.enumerated() { slot[s] = k }
        var tree = FurthestEnd(count: starts.count)
        // By the position where each value becomes live; at one position, by node.
        let byBirth = extents.sorted { (live[$0.node].lowerBound, $0.node) < (live[$1.node].lowerBound, $1.node) }
        let byDeath = extents.sorted { live[$0.node].upperBound < live[$1.node].upperBound }
        var dead = 0
        for e in byBirth {
            let born = live[e.node].lowerBound
            while dead < byDeath.count, live[byDeath[dead].node].upperBound < born {
                tree.remove(at: slot[byDeath[dead].start]!, node: byDeath[dead].node)
                dead += 1
            }
            // Values live now are disjoint, so the one that reaches furthest among those that
            // start before this one ends is the only candidate for an overlap.
            let before = firstIndex(in: starts, notBelow: e.end)
            if let other = tree.furthest(before: before), other.end > e.start {
                throw fail(e.node, "shares arena memory with %\(other.node) while both are live")
            }
            tree.insert(at: slot[e.start]!, end: e.end, node: e.node)
        }
    }
}

/// The first index of sorted `values` whose value is at least `x` (binary search).
func firstIndex(in values: [Int], notBelow x: Int) -> Int {
    var lo = 0, hi = values.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if values[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo
}

/// A max segment tree over offsets (by their rank): at each offset the end and node of the
/// live value that starts there, if any.
struct FurthestEnd {
    private var size = 1
    private var ends: [(end: Int, node: Int)]
    private static let empty = (end: Int.min, node: -1)

    init(count: Int) {
        while size < max(count, 1) { size *= 2 }
        ends = Array(repeating: Self.empty, count: 2 * size)
    }

    mutating func insert(at k: Int, end: Int, node: Int) { set(k, (end, node)) }

    /// Clears slot k if `node` still holds it (a value that conflicted was never inserted).
    mutating func remove(at k: Int, node: Int) { if ends[size + k].node == node { set(k, Self.empty) } }

    private mutating func set(_ k: Int, _ value: (end: Int, node: Int)) {
        var i = size + k
        ends[i] = value
        while i > 1 {
            i /= 2
            ends[i] = ends[2 * i].end >= ends[2 * i + 1].end ? ends[2 * i] : ends[2 * i + 1]
        }
    }

    /// The value with the furthest end among slots 0..<k, or nil if there is none.
    func furthest(before k: Int) -> (end: Int, node: Int)? {
        var best = Self.empty
        var lo = size, hi = size + k
        while lo < hi {
            if lo & 1 == 1 { if ends[lo].end > best.end { best = ends[lo] }; lo += 1 }
            if hi & 1 == 1 { hi -= 1; if ends[hi].end > best.end { best = ends[hi] } }
            lo /= 2; hi /= 2
        }
        return best.node < 0 ? nil : best
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
