import CLLVM

extension Emitter {
    /// y[c, r] = x[r, c] for an x of [rows, columns], in 16 × 16 blocks transposed in
    /// registers: 16 row loads, 64 two-vector shuffles, 16 column stores per block, where
    /// element-wise copying would store each float to a different cache line. Blocks at the
    /// edges use masks computed from the block's position, so one block body serves them all.
    /// Shared by every kernel that transposes a matrix of this shape.
    func transpose(_ x: Value, rows: Int, columns: Int, into y: Value) {
        let helper = helper("transpose_\(rows)x\(columns)", parameters: [floatPointer, floatPointer]) { arguments in
            let (x, y) = (arguments[0], arguments[1])
            let lane = constantVector((0..<Self.lanes).map { i32(Int32($0)) })
            // Lanes of a block that lie inside a dimension of `size`, for a block starting at `start`.
            func inside(_ start: Value, _ size: Int) -> Value {
                let first = LLVMBuildTrunc(builder, start, int32, "")!
                let index = LLVMBuildAdd(builder, splatInt32(first), lane, "")!
                return LLVMBuildICmp(builder, LLVMIntSLT, index, splatInt(Int32(size)), "")!
            }
            loop(to: rows, step: Self.lanes) { r0 in
                let rowInside = inside(r0, rows)
                loop(to: columns, step: Self.lanes) { c0 in
                    let columnInside = inside(c0, columns)
                    let none = LLVMConstNull(maskType)!
                    var v = (0..<Self.lanes).map { i -> Value in
                        let row = addInt(r0, int(i))
                        let mask = select(extractBool(rowInside, i), columnInside, none)
                        return maskedLoad(advance(x, by: addInt(mulInt(row, int(columns)), c0)), mask)
                    }
                    // Stage d swaps bit d of the row and column index of every element.
                    var d = Self.lanes / 2
                    while d > 0 {
                        for r in 0..<Self.lanes where r & d == 0 {
                            let (a, b) = (v[r], v[r + d])
                            v[r] = shuffle(a, b, (0..<Self.lanes).map { $0 & d == 0 ? $0 : Self.lanes + $0 - d })
                            v[r + d] = shuffle(a, b, (0..<Self.lanes).map { $0 & d == 0 ? $0 + d : Self.lanes + $0 })
                        }
                        d /= 2
                    }
                    for c in 0..<Self.lanes {
                        let column = addInt(c0, int(c))
                        let mask = select(extractBool(columnInside, c), rowInside, none)
                        maskedStore(v[c], advance(y, by: addInt(mulInt(column, int(rows)), r0)), mask)
                    }
                }
            }
        }
        call(helper, [x, y])
    }

    private func extractBool(_ mask: Value, _ lane: Int) -> Value {
        LLVMBuildExtractElement(builder, mask, i32(Int32(lane)), "")!
    }
}
