import IR

/// What the fusion pass did, for the compile report.
public struct FusionStatistics: Hashable, Sendable {
    /// matmul + add_bias (+ activation) → dense.
    public var dense = 0
    /// Element-wise chains → fused loops, and how many ops they absorbed.
    public var elementwiseChains = 0
    public var elementwiseOpsAbsorbed = 0
    /// Per-weight AdamW updates merged into one op per program.
    public var adamwMerged = 0
    /// Sums of pads that tile the last axis → one concat (the gradient of many slices).
    public var padSumsConcatenated = 0
    public init() {}
}

/// Rewrites a graph into fewer, larger ops: dense layers, element-wise loops and a single
/// AdamW update per program. Semantics are unchanged; only the number of kernels and
/// intermediate buffers goes down.
public func fuse(_ graph: Graph) -> (Graph, FusionStatistics) {
    var stats = FusionStatistics()
    let fused = graph.mapPrograms { program in
        mergeAdamW(fuseElementwise(fuseDense(concatenatePads(program, &stats), &stats), &stats), &stats)
    }
    return (fused, stats)
}

/// pad(x₁) + pad(x₂) + … → concat(x₁, x₂, …) where the pads' ranges tile the last axis
/// exactly, each sum used only by the next. The backward pass writes the gradient of a value
/// whose columns are all sliced apart (a coupling layer's spline parameters, one slice per
/// bin) as such a sum: one zero-filled copy of the whole width per slice, and one loop over
/// all of them, where a concat writes each column once. The values are equal, since every
/// element of the sum is one xᵢ plus zeros.
func concatenatePads(_ program: Program, _ stats: inout FusionStatistics) -> Program {
    var p = program
    let users = p.users()
    let outputs = Set(p.outputs.map(\.node))
    func isSum(_ i: Int) -> Bool {
        p.nodes[i].op == .binary(.add) && p.nodes[i].operands.allSatisfy { p.nodes[$0].shape == p.nodes[i].shape }
    }
    // A sum whose one reader is a sum is part of that reader's tree.
    func isInner(_ i: Int) -> Bool { users[i].count == 1 && isSum(users[i][0]) && !outputs.contains(i) }
    var keep = Array(repeating: true, count: p.nodes.count)
    for root in p.nodes.indices where isSum(root) && !isInner(root) {
        var terms: [Int] = [], inner: [Int] = []
        var pending = [root]
        while let n = pending.popLast() {
            for o in p.nodes[n].operands {
                if isSum(o) && isInner(o) { inner.append(o); pending.append(o) } else { terms.append(o) }
            }
        }
        let shape = p.nodes[root].shape
        guard shape.rank >= 1, let width = shape.dims.last else { continue }
        var pieces: [(start: Int, node: Int, width: Int)] = []
        for t in terms {
            guard case let .pad(start, total) = p.nodes[t].op, total == width else { break }
            let x = p.nodes[t].operands[0]
            pieces.append((start, x, p.nodes[x].shape.dims.last!))
        }
        guard pieces.count == terms.count else { continue }
        pieces.sort { $0.start < $1.start }
        var covered = 0
        for piece in pieces {
            guard piece.start == covered else { covered = -1; break }
            covered += piece.width
        }
        guard covered == width else { continue }
        p.nodes[root] = Node(op: .concat, operands: pieces.map(\.node), shape: shape)
        for n in inner { keep[n] = false }
        for t in terms where users[t].count == 1 && !outputs.contains(t) { keep[t] = false }
        stats.padSumsConcatenated += 1
    }
    return p.keeping(keep)
}

/// matmul(x, W) → add_bias(·, b) → activation, each intermediate used once → dense.
func fuseDense(_ program: Program, _ stats: inout FusionStatistics) -> Program {
    var p = program
    let users = p.users()
    let outputs = Set(p.outputs.map(\.node))
    var keep = Array(repeating: true, count: p.nodes.count)
    for (i, node) in p.nodes.enumerated() {
        guard case .matmul(false, false) = node.op, users[i].count == 1 else { continue }
        let biasAdd = users[i][0]
        guard case .addBias = p.nodes[biasAdd].op, p.nodes[biasAdd].operands[0] == i else { continue }
        var root = biasAdd
        var activation: UnaryOp?
        if users[biasAdd].count == 1, case .unary(let u) = p.nodes[users[biasAdd][0]].op, u.isActivation,
           !outputs.contains(biasAdd) {
            root = users[biasAdd][0]
            activation = u
        }
        if outputs.contains(i) { continue }
        p.nodes[root] = Node(op: .dense(activation: activation),
                             operands: node.operands + [p.nodes[biasAdd].operands[1]], shape: p.nodes[root].shape)
        keep[i] = false
        if root != biasAdd { keep[biasAdd] = false }
        stats.dense += 1
    }
    return p.keeping(keep)
}

/// Greedy producer–consumer fusion: an element-wise node whose only reader is an element-wise
/// node of the same shape joins that reader's loop. Scalar constants are inlined.
func fuseElementwise(_ program: Program, _ stats: inout FusionStatistics) -> Program {
    var p = program
    let users = p.users()
    let outputs = Set(p.outputs.map(\.node))
    // group[i]: the root of the loop node i is computed in (itself if not absorbed).
    var group = Array(p.nodes.indices)
    var members: [Int: [Int]] = [:]
    for i in p.nodes.indices.reversed() {
        let node = p.nodes[i]
        guard node.op.isFusible, !outputs.contains(i), let reader = users[i].first,
              users[i].allSatisfy({ $0 == reader }), p.nodes[reader].op.isFusible,
              p.nodes[reader].shape == node.shape else { continue }
        group[i] = group[reader]
        members[group[reader], default: []].append(i)
    }
    var keep = Array(repeating: true, count: p.nodes.count)
    for (root, absorbed) in members {
        let nodes = (absorbed + [root]).sorted()
        for n in absorbed { keep[n] = false }
        p.nodes[root] = loop(of: nodes, in: p)
        stats.elementwiseChains += 1
        stats.elementwiseOpsAbsorbed += nodes.count
    }
    return p.keeping(keep)
}

/// One fused node computing `nodes` (in order; the last is the result).
private func loop(of nodes: [Int], in p: Program) -> Node {
    var operands: [Int] = []
    // By node: a loop that sums the squares of every gradient reads thousands of operands.
    var operandIndex: [Int: Int] = [:]
    var position: [Int: Int] = [:]
    var instructions: [FusedBody.Instruction] = []
    func argument(_ n: Int) -> FusedBody.Argument {
        if let j = position[n] { return .result(j) }
        if case .constant(let v) = p.nodes[n].op { return .literal(v) }
        if let k = operandIndex[n] { return .operand(k) }
        operandIndex[n] = operands.count
        operands.append(n)
        return .operand(operands.count - 1)
    }
    for n in nodes {
        let node = p.nodes[n]
        switch node.op {
        case .unary(let u):
            instructions.append(.init(.unary(u), [argument(node.operands[0])]))
        case .binary(let b):
            instructions.append(.init(.binary(b), node.operands.map(argument)))
        case .fused(let body):
            // Splice an already fused body, renumbering its arguments.
            let inner = node.operands.map(argument)
            let base = instructions.count
            for ins in body.instructions {
                instructions.append(.init(ins.kind, ins.arguments.map { a in
                    switch a {
                    case .operand(let k): return inner[k]
                    case .result(let j): return .result(base + j)
                    case .literal: return a
                    }
                }))
            }
        default:
            preconditionFailure("only element-wise nodes are fused")
        }
        position[n] = instructions.count - 1
    }
    return Node(op: .fused(FusedBody(instructions)), operands: operands, shape: p.nodes[nodes.last!].shape)
}

/// All AdamW updates of a program → one op over every weight, placed at the last of them.
func mergeAdamW(_ program: Program, _ stats: inout FusionStatistics) -> Program {
    var p = program
    let updates = p.nodes.indices.filter { if case .adamw = p.nodes[$0].op { return true } else { return false } }
    guard updates.count > 1, case .adamw(let settings) = p.nodes[updates[0]].op,
          updates.allSatisfy({ p.nodes[$0].op == .adamw(settings) && p.nodes[$0].operands.suffix(3) == p.nodes[updates[0]].operands.suffix(3) })
    else { return p }
    let groups = updates.flatMap { p.nodes[$0].operands.dropLast(3) }
    let last = updates.last!
    p.nodes[last] = Node(op: .adamw(settings), operands: groups + p.nodes[last].operands.suffix(3), shape: .scalar)
    var keep = Array(repeating: true, count: p.nodes.count)
    for u in updates.dropLast() { keep[u] = false }
    stats.adamwMerged += updates.count
    return p.keeping(keep)
}

extension UnaryOp {
    /// Activations a dense op can apply.
    var isActivation: Bool { row.traits.contains(.activation) }
}

extension Op {
    var isFusible: Bool { traits.contains(.fusible) }
}
