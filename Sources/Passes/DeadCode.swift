import IR

/// Removes every node that neither reaches an output nor has a side effect.
public func eliminateDeadCode(_ graph: Graph) -> Graph {
    graph.mapPrograms { program in
        var live = Array(repeating: false, count: program.nodes.count)
        for o in program.outputs { live[o.node] = true }
        for (i, n) in program.nodes.enumerated() where !n.op.hasResult { live[i] = true }
        for i in program.nodes.indices.reversed() where live[i] {
            for o in program.nodes[i].operands { live[o] = true }
        }
        return program.keeping(live)
    }
}

extension Program {
    /// The program with only the nodes marked in `keep`, renumbered in order.
    func keeping(_ keep: [Bool]) -> Program {
        var renumbered = Array(repeating: -1, count: nodes.count)
        var result = Program(name: name)
        for (i, n) in nodes.enumerated() where keep[i] {
            renumbered[i] = result.nodes.count
            result.nodes.append(Node(op: n.op, operands: n.operands.map { renumbered[$0] }, shape: n.shape))
        }
        result.outputs = outputs.map { Output(name: $0.name, node: renumbered[$0.node]) }
        return result
    }
}
