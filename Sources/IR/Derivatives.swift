/// The vector–Jacobian product of every differentiable op: the element-wise ones are in
/// their rows of the op table, the structural ones here.
///
/// Given node `index` (with value `y`) and the cotangent `g` of its result, `vjp` appends
/// the nodes that compute the cotangent of each operand and returns them (nil where an
/// operand receives none). A scalar operand broadcast against a tensor receives the sum.
extension Builder {
    public mutating func vjp(of index: Int, cotangent g: Int) throws -> [Int?] {
        let node = program.nodes[index]
        let x = node.operands
        let y = index
        let contributions: [Int?]
        switch node.op {
        case .input, .parameter, .constant:
            return []
        case .unary(let op):
            guard let rule = op.row.derivative else { throw ShapeError("\(node.op.name) is not differentiable") }
            contributions = [try rule(&self, op, x[0], y, g)]
        case .binary(let op):
            guard let rule = op.row.derivative else { throw ShapeError("\(node.op.name) is not differentiable") }
            let (da, db) = try rule(&self, x[0], x[1], y, g)
            contributions = [da, db]
        case let .matmul(ta, tb):
            let (a, b) = (x[0], x[1])
            let da = ta ? try add(.matmul(transposeA: tb, transposeB: true), [b, g])
                        : try add(.matmul(transposeA: false, transposeB: !tb), [g, b])
            let db = tb ? try add(.matmul(transposeA: true, transposeB: ta), [g, a])
                        : try add(.matmul(transposeA: !ta, transposeB: false), [a, g])
            contributions = [da, db]
        case .addBias:
            contributions = [g, try add(.sum(axis: 0), [g])]
        case .sum(let axis):
            contributions = [try add(.broadcast(axis: axis, to: shape(x[0])), [g])]
        case .logSumExp:
            // ∂y/∂x = softmax(x) = exp(x − y) along the last axis.
            let input = shape(x[0])
            let last = input.rank - 1
            let softmax = try unary(.exp, sub(x[0], add(.broadcast(axis: last, to: input), [y])))
            contributions = [try mul(add(.broadcast(axis: last, to: input), [g]), softmax)]
        case .broadcast(let axis, _):
            contributions = [try add(.sum(axis: axis), [g])]
        case .concat:
            var start = 0
            var parts: [Int?] = []
            for operand in x {
                let width = shape(operand).dims.last!
                parts.append(try add(.slice(start: start, count: width), [g]))
                start += width
            }
            contributions = parts
        case let .slice(start, _):
            contributions = [try add(.pad(start: start, total: shape(x[0]).dims.last!), [g])]
        case let .pad(start, _):
            contributions = [try add(.slice(start: start, count: shape(x[0]).dims.last!), [g])]
        case .assign, .adamw, .dense, .fused:
            throw ShapeError("\(node.op.name) is not differentiable: differentiate before fusion and before the optimizer")
        }
        // A scalar broadcast over a tensor receives the sum of its cotangent.
        return try zip(x, contributions).map { operand, c in
            guard let c else { return nil }
            if shape(operand).isScalar && !shape(c).isScalar { return try add(.sum(axis: nil), [c]) }
            return c
        }
    }
}
