import CLLVM

extension Emitter {
    /// y[c, r] = x[r, c] for an x of [rows, columns], in 16 × 16 blocks transposed in
    /// registers: 16 row loads, 64 shuffles, 16 column stores per block, where element-wise
    /// copying would store each float to a different cache line (and gathers measured 4× slower
    /// on this CPU). Blocks at the edges load with a column mask and store with a row mask, so
    /// one block body serves them all, and one function every shape in the module.
    func transpose(_ x: Value, rows: Int, columns: Int, into y: Value) {
        // Already the code it should be: skipping LLVM's optimizations (optnone) cuts compile
        // time of a module with a transposed product by a tenth, and measured no slower.
        let helper = helper("transpose", parameters: [floatPointer, floatPointer, int64, int64], optimized: false) { arguments in
            let (x, y, rows, columns) = (arguments[0], arguments[1], arguments[2], arguments[3])
            let lane = constantVector((0..<Self.lanes).map { i32(Int32($0)) })
            // The lanes of a block starting at `start` that lie inside a dimension of `size`.
            func inside(_ start: Value, _ size: Value) -> Value {
                let index = LLVMBuildAdd(builder, splatInt32(LLVMBuildTrunc(builder, start, int32, "")!), lane, "")!
                return LLVMBuildICmp(builder, LLVMIntSLT, index, splatInt32(LLVMBuildTrunc(builder, size, int32, "")!), "")!
            }
            let none = LLVMConstNull(maskType)!
            let lastRow = LLVMBuildSub(builder, rows, int(1), "")!
            loop(to: rows, step: Self.lanes) { r0 in
                let rowInside = inside(r0, rows)
                loop(to: columns, step: Self.lanes) { c0 in
                    let columnInside = inside(c0, columns)
                    let block = (0..<Self.lanes).map { i -> Value in
                        // Rows past the end load the last row again; those lanes are not stored.
                        let row = addInt(r0, int(i))
                        let clamped = select(LLVMBuildICmp(builder, LLVMIntSLT, row, rows, "")!, row, lastRow)
                        return maskedLoad(advance(x, by: addInt(mulInt(clamped, columns), c0)), columnInside)
                    }
                    for (c, column) in transposed(block).enumerated() {
                        let index = addInt(c0, int(c))
                        let mask = select(LLVMBuildICmp(builder, LLVMIntSLT, index, columns, "")!, rowInside, none)
                        maskedStore(column, advance(y, by: addInt(mulInt(index, rows), r0), inBounds: false), mask)
                    }
                }
            }
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
