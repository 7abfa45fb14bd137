import CLLVM

extension Emitter {
    /// y[c, r] = x[r, c] for an x of [rows, columns], in 16 × 16 blocks transposed in
    /// registers: 16 row loads, 64 shuffles, 16 column stores per block, where element-wise
    /// copying would store each float to a different cache line (and gathers measured 4× slower
    /// on this CPU). The rows and columns beyond the last whole block are copied element by
    /// element: a block at the edge would need masked loads and stores, and on AVX2 a masked
    /// store of 8 floats costs more than the 8 scalar stores it replaces (transposes with masked
    /// edge blocks took a fifth of a spline flow's training step on a Zen 3). One function
    /// serves every shape in the module.
    func transpose(_ x: Value, rows: Int, columns: Int, into y: Value) {
        let helper = helper("transpose", parameters: [floatPointer, floatPointer, int64, int64]) { arguments in
            let (x, y, rows, columns) = (arguments[0], arguments[1], arguments[2], arguments[3])
            let wholeRows = and(rows, int(-Self.lanes)), wholeColumns = and(columns, int(-Self.lanes))
            loop(to: wholeRows, step: Self.lanes) { r0 in
                loop(to: wholeColumns, step: Self.lanes) { c0 in
                    let block = (0..<Self.lanes).map { i in load(advance(x, by: addInt(mulInt(addInt(r0, int(i)), columns), c0))) }
                    for (c, column) in transposed(block).enumerated() {
                        store(column, advance(y, by: addInt(mulInt(addInt(c0, int(c)), rows), r0)))
                    }
                }
            }
            func copy(rows r: (Value, Value), columns c: (Value, Value)) {
                loop(from: r.0, to: r.1, step: 1) { i in
                    loop(from: c.0, to: c.1, step: 1) { j in
                        storeScalar(loadScalar(advance(x, by: addInt(mulInt(i, columns), j))), advance(y, by: addInt(mulInt(j, rows), i)))
                    }
                }
            }
            copy(rows: (int(0), rows), columns: (wholeColumns, columns))       // the right edge, all rows
            copy(rows: (wholeRows, rows), columns: (int(0), wholeColumns))     // the bottom edge
            return nil
        }
        call(helper, [x, y, int(rows), int(columns)])
    }

    /// The 16 columns of the 16 × 16 block whose rows are `rows`. The classic sequence for
    /// 512-bit registers: interleave pairs of floats (unpcklps/unpckhps), then pairs of pairs
    /// (unpcklpd/unpckhpd), then two rounds of 128-bit lane selection (shuff32x4) — each step
    /// a pattern LLVM lowers to one instruction without searching.
    private func transposed(_ rows: [Value]) -> [Value] {
        var v = rows
        for step in TransposeStep.sequence {
            var next = v
            for (output, (a, b, mask)) in step.enumerated() { next[output] = shuffle(v[a], v[b], mask) }
            v = next
        }
        return TransposeStep.columnOrder.map { v[$0] }
    }
}

/// The shuffles of a 16 × 16 transpose, worked out once: per stage, for each output vector,
/// the two input vectors and the mask.
private enum TransposeStep {
    typealias Stage = [(Int, Int, [Int])]

    static let sequence: [Stage] = {
        func perLane(_ pattern: (Int) -> [Int]) -> [Int] { (0..<4).flatMap(pattern) }
        let unpackLowFloats = perLane { [4 * $0, 16 + 4 * $0, 4 * $0 + 1, 16 + 4 * $0 + 1] }
        let unpackHighFloats = perLane { [4 * $0 + 2, 16 + 4 * $0 + 2, 4 * $0 + 3, 16 + 4 * $0 + 3] }
        let unpackLowPairs = perLane { [4 * $0, 4 * $0 + 1, 16 + 4 * $0, 16 + 4 * $0 + 1] }
        let unpackHighPairs = perLane { [4 * $0 + 2, 4 * $0 + 3, 16 + 4 * $0 + 2, 16 + 4 * $0 + 3] }
        let evenLanes = [0, 8, 16, 24].flatMap { Array($0..<($0 + 4)) }    // shuff32x4 0x88
        let oddLanes = [4, 12, 20, 28].flatMap { Array($0..<($0 + 4)) }    // shuff32x4 0xdd
        var stages: [Stage] = []
        stages.append((0..<16).map { ($0 & ~1, $0 | 1, $0 & 1 == 0 ? unpackLowFloats : unpackHighFloats) })
        stages.append((0..<16).map { o in
            let group = o / 4 * 4, (first, second) = (group + (o % 4) / 2, group + (o % 4) / 2 + 2)
            return (first, second, o % 2 == 0 ? unpackLowPairs : unpackHighPairs)
        })
        stages.append((0..<16).map { o in
            let group = o / 8 * 8, i = o % 4
            return (group + i, group + 4 + i, o % 8 < 4 ? evenLanes : oddLanes)
        })
        stages.append((0..<16).map { o in (o % 8, 8 + o % 8, o < 8 ? evenLanes : oddLanes) })
        return stages
    }()

    /// Which output vector of the last stage holds column c, found by running the sequence on
    /// element labels; also checks that every output is a whole column in row order.
    static let columnOrder: [Int] = {
        var v = (0..<16).map { row in (0..<16).map { column in row * 16 + column } }
        for stage in sequence {
            v = stage.map { a, b, mask in mask.map { $0 < 16 ? v[a][$0] : v[b][$0 - 16] } }
        }
        return (0..<16).map { column in
            let index = v.firstIndex { $0 == (0..<16).map { row in row * 16 + column } }
            precondition(index != nil, "the transpose sequence does not produce column \(column)")
            return index!
        }
    }()
}
