import CLLVM

extension Emitter {
    /// y[c, r] = x[r, c] for an x of [rows, columns], in 16 × 16 blocks transposed in
    /// registers: 16 row loads, 64 two-vector shuffles, 16 column stores per block, where
    /// element-wise copying would store each float to a different cache line. Blocks at the
    /// edges use masks computed from the block's position, so one block body serves them all,
    /// and one function serves every shape in the module.
    func transpose(_ x: Value, rows: Int, columns: Int, into y: Value) {
        let helper = helper("transpose", parameters: [floatPointer, floatPointer, int64, int64]) { arguments in
            let (x, y, rows, columns) = (arguments[0], arguments[1], arguments[2], arguments[3])
            let lane = constantVector((0..<Self.lanes).map { i32(Int32($0)) })
            // The lanes of a block starting at `start` that lie inside a dimension of `size`.
            func inside(_ start: Value, _ size: Value) -> Value {
                let index = LLVMBuildAdd(builder, splatInt32(LLVMBuildTrunc(builder, start, int32, "")!), lane, "")!
                return LLVMBuildICmp(builder, LLVMIntSLT, index, splatInt32(LLVMBuildTrunc(builder, size, int32, "")!), "")!
            }
            let none = LLVMConstNull(maskType)!
            loop(to: rows, step: Self.lanes) { r0 in
                let rowInside = inside(r0, rows)
                loop(to: columns, step: Self.lanes) { c0 in
                    let columnInside = inside(c0, columns)
                    var v = (0..<Self.lanes).map { i -> Value in
                        let mask = select(extractBool(rowInside, i), columnInside, none)
                        let row = addInt(r0, int(i))
                        return maskedLoad(advance(x, by: addInt(mulInt(row, columns), c0), inBounds: false), mask)
                    }
                    // Stage d swaps bit d of the row and column index of every element.
                    var d = Self.lanes / 2
                    while d > 0 {
                        let (first, second) = Self.exchangeMasks(d)
                        for r in 0..<Self.lanes where r & d == 0 {
                            (v[r], v[r + d]) = (shuffle(v[r], v[r + d], first), shuffle(v[r], v[r + d], second))
                        }
                        d /= 2
                    }
                    for c in 0..<Self.lanes {
                        let mask = select(extractBool(columnInside, c), rowInside, none)
                        let column = addInt(c0, int(c))
                        maskedStore(v[c], advance(y, by: addInt(mulInt(column, rows), r0), inBounds: false), mask)
                    }
                }
            }
        }
        call(helper, [x, y, int(rows), int(columns)])
    }

    private func extractBool(_ mask: Value, _ lane: Int) -> Value {
        LLVMBuildExtractElement(builder, mask, i32(Int32(lane)), "")!
    }
}
