import IR

extension Emitter {
    /// y[i] = f(operands at i) for i < count, 16 lanes at a time and one masked step for the
    /// rest. Scalar operands (and constants) are broadcast once, before the loop.
    func elementwise(count: Int, _ operands: [Operand], _ shapes: [Shape], into y: Value, _ f: ([Value]) -> Value) {
        // Each operand is either one vector for the whole loop or a stream of vectors.
        let sources: [(fixed: Value?, stream: Value?)] = zip(operands, shapes).map { operand, shape in
            switch operand {
            case .constant(let v): return (splat(v), nil)
            case .memory(let p): return shape.count == 1 && count > 1 ? (splat(loadScalar(p)), nil) : (nil, p)
            }
        }
        forEachVector(count: count) { offset, lanes in
            let values = sources.map { $0.fixed ?? load(advance($0.stream!, by: offset), lanes: lanes) }
            store(f(values), advance(y, by: offset), lanes: lanes)
        }
    }

    /// The value of a fused body on one vector of each operand.
    func evaluate(_ body: FusedBody, _ operands: [Value]) -> Value {
        var results: [Value] = []
        for instruction in body.instructions {
            let arguments = instruction.arguments.map { argument -> Value in
                switch argument {
                case .operand(let k): return operands[k]
                case .result(let j): return results[j]
                case .literal(let v): return splat(v)
                }
            }
            switch instruction.kind {
            case .unary(let op): results.append(apply(op, arguments[0]))
            case .binary(let op): results.append(apply(op, arguments[0], arguments[1]))
            }
        }
        return results[results.count - 1]
    }

    /// y = x + bias on every row of an [rows, columns] matrix.
    func addBias(_ x: Value, _ bias: Value, into y: Value, rows: Int, columns: Int) {
        loop(to: rows) { r in
            let row = mulInt(r, int(columns))
            forEachVector(count: columns) { offset, lanes in
                let sum = add(load(advance(advance(x, by: row), by: offset), lanes: lanes), load(advance(bias, by: offset), lanes: lanes))
                store(sum, advance(advance(y, by: row), by: offset), lanes: lanes)
            }
        }
    }

    /// `body(offset, lanes)` over `count` consecutive floats: full vectors in a loop, then one
    /// partial vector.
    func forEachVector(count: Int, _ body: (Value, Int) -> Void) {
        let full = count / Self.lanes * Self.lanes
        loop(to: full, step: Self.lanes) { body($0, Self.lanes) }
        if full < count { body(int(full), count - full) }
    }
}
