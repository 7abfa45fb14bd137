import IR

/// Reverse-mode differentiation as a graph-to-graph pass.
///
/// For each named program, appends the gradient of its scalar output `loss` with respect to
/// every weight and exposes it as the output `grad.<weight>`. A weight that does not reach the
/// loss gets a zero gradient. The derivative rules themselves are `Builder.vjp` in IR.
public func differentiate(_ graph: Graph, programs names: [String]) throws -> Graph {
    try graph.mapPrograms { program in
        guard names.contains(program.name) else { return program }
        guard let loss = program.output(Interface.Outputs.loss), program.nodes[loss].shape.isScalar else {
            throw ShapeError("program \(program.name) has no scalar output \"\(Interface.Outputs.loss)\" to differentiate")
        }
        var b = Builder(program, parameters: graph.parameters)
        let weights = graph.parameters.filter { $0.kind == .weight }
        let weightNodes = try weights.map { try b.parameter($0.name) }

        // Only nodes that depend on a weight and feed the loss carry cotangents.
        var dependsOnWeight = Array(repeating: false, count: b.program.nodes.count)
        for w in weightNodes { dependsOnWeight[w] = true }
        for (i, n) in b.program.nodes.enumerated() where n.operands.contains(where: { dependsOnWeight[$0] }) {
            dependsOnWeight[i] = true
        }

        var contributions: [Int: [Int]] = [loss: [try b.constant(1)]]
        for i in stride(from: loss, through: 0, by: -1) where dependsOnWeight[i] {
            guard let parts = contributions[i] else { continue }
            let cotangent = try sum(parts, &b)
            contributions[i] = [cotangent]
            let operands = b.program.nodes[i].operands
            guard operands.contains(where: { dependsOnWeight[$0] }) else { continue }
            for (operand, c) in zip(operands, try b.vjp(of: i, cotangent: cotangent)) where dependsOnWeight[operand] {
                if let c { contributions[operand, default: []].append(c) }
            }
        }
        for (w, node) in zip(weights, weightNodes) {
            let gradient = try contributions[node].map { try sum($0, &b) }
                ?? b.add(.broadcast(axis: nil, to: w.shape), [b.constant(0)])
            b.output(Interface.Outputs.gradient(of: w.name), gradient)
        }
        return b.program
    }
}

private func sum(_ parts: [Int], _ b: inout Builder) throws -> Int {
    var total = parts[0]
    for p in parts.dropFirst() { total = try b.add(total, p) }
    return total
}
