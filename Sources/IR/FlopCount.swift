/// Floating-point operations, for reporting throughput (GFLOP/s). The conventions are the
/// usual ones: 2·m·n·k per matrix product, one per element for every element-wise
/// instruction (exp or tanh count as one, like an add), one per element reduced, and nothing
/// for data movement. Counts saturate instead of overflowing.
extension Program {
    /// The operations of one run of the program.
    public var flops: Int {
        nodes.reduce(0) { total, node in
            saturatingAdd(total, node.flops(operands: node.operands.map { nodes[$0].shape }))
        }
    }
}

extension Node {
    /// The operations of this node, given its operands' shapes.
    public func flops(operands: [Shape]) -> Int {
        let elements = shape.count
        switch op {
        case .input, .parameter, .constant, .broadcast, .concat, .slice, .pad, .assign:
            return 0
        case .unary, .binary, .addBias:
            return elements
        case .fused(let body):
            return saturatingMultiply(elements, body.instructions.count)
        case .matmul(let transposeA, _):
            let k = operands[0].dims[transposeA ? 0 : 1]
            return saturatingMultiply(saturatingMultiply(2, elements), k)
        case .dense(let activation):
            let k = operands[0].dims[1]
            let epilogue = activation == nil ? elements : saturatingMultiply(2, elements)
            return saturatingAdd(saturatingMultiply(saturatingMultiply(2, elements), k), epilogue)
        case .sum:
            return operands[0].count
        case .logSumExp:
            // A max, a subtraction, an exp and an add per element.
            return saturatingMultiply(4, operands[0].count)
        case .adamw:
            // Per element: scale the gradient (1), update m (3) and v (4), then the parameter:
            // p·decay − step·m / (√v / √c₂ + ε) (7), as PyTorch's AdamW.
            let elements = stride(from: 0, to: operands.count - 3, by: 4).reduce(0) { saturatingAdd($0, operands[$1].count) }
            return saturatingMultiply(15, elements)
        }
    }
}
