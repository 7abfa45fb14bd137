import CLLVM

extension Emitter {
    func constant(_ v: Float) -> Value { LLVMConstReal(float, Double(v)) }
    func int(_ v: Int) -> Value { LLVMConstInt(int64, UInt64(bitPattern: Int64(v)), 1) }
    func i32(_ v: Int32) -> Value { LLVMConstInt(int32, UInt64(bitPattern: Int64(v)), 1) }

    /// A vector with `v` in every lane.
    func splat(_ v: Float) -> Value { constantVector(Array(repeating: constant(v), count: Self.lanes)) }
    func splatInt(_ v: Int32) -> Value { constantVector(Array(repeating: i32(v), count: Self.lanes)) }

    /// A run-time float in every lane.
    func splat(_ scalar: Value) -> Value {
        let one = LLVMBuildInsertElement(builder, LLVMGetUndef(vector), scalar, i32(0), "")!
        return shuffle(one, one, Array(repeating: 0, count: Self.lanes))
    }

    /// A run-time 32-bit integer in every lane.
    func splatInt32(_ scalar: Value) -> Value {
        let one = LLVMBuildInsertElement(builder, LLVMGetUndef(intVector), scalar, i32(0), "")!
        return shuffle(one, one, Array(repeating: 0, count: Self.lanes))
    }

    /// The mask whose first `active` lanes are on.
    func mask(_ active: Int) -> Value {
        constantVector((0..<Self.lanes).map { LLVMConstInt(bool, $0 < active ? 1 : 0, 0) })
    }

    func constantVector(_ elements: [Value]) -> Value {
        var e = elements.map { Optional($0) }
        return e.withUnsafeMutableBufferPointer { LLVMConstVector($0.baseAddress, UInt32($0.count))! }
    }

    // Arithmetic, on floats or float vectors alike.

    func add(_ a: Value, _ b: Value) -> Value { LLVMBuildFAdd(builder, a, b, "")! }
    func sub(_ a: Value, _ b: Value) -> Value { LLVMBuildFSub(builder, a, b, "")! }
    func mul(_ a: Value, _ b: Value) -> Value { LLVMBuildFMul(builder, a, b, "")! }
    func div(_ a: Value, _ b: Value) -> Value { LLVMBuildFDiv(builder, a, b, "")! }
    func neg(_ a: Value) -> Value { LLVMBuildFNeg(builder, a, "")! }
    /// a · b + c with one rounding.
    func fma(_ a: Value, _ b: Value, _ c: Value) -> Value { intrinsic("llvm.fma", [LLVMTypeOf(a)], [a, b, c]) }
    func sqrt(_ a: Value) -> Value { intrinsic("llvm.sqrt", [LLVMTypeOf(a)], [a]) }
    func compare(_ predicate: LLVMRealPredicate, _ a: Value, _ b: Value) -> Value { LLVMBuildFCmp(builder, predicate, a, b, "")! }
    func select(_ condition: Value, _ a: Value, _ b: Value) -> Value { LLVMBuildSelect(builder, condition, a, b, "")! }
    func and(_ a: Value, _ b: Value) -> Value { LLVMBuildAnd(builder, a, b, "")! }
    func or(_ a: Value, _ b: Value) -> Value { LLVMBuildOr(builder, a, b, "")! }

    func shuffle(_ a: Value, _ b: Value, _ indices: [Int]) -> Value {
        LLVMBuildShuffleVector(builder, a, b, constantVector(indices.map { i32(Int32($0)) }), "")!
    }

    func extract(_ v: Value, _ lane: Int) -> Value { LLVMBuildExtractElement(builder, v, i32(Int32(lane)), "")! }

    /// For a pair of vectors (a, b) seen as rows of a 2 × 16 matrix cut into blocks of d lanes:
    /// the shuffle masks whose results hold, in every pair of adjacent blocks, a's first block
    /// with b's first block, and a's second block with b's second. In a 16 × 16 transpose,
    /// stage d applies them to rows r and r + d; in a reduction of 16 vectors, adding the two
    /// halves each partial sum.
    static func exchangeMasks(_ d: Int) -> (first: [Int], second: [Int]) {
        ((0..<lanes).map { $0 & d == 0 ? $0 : lanes + $0 - d }, (0..<lanes).map { $0 & d == 0 ? $0 + d : lanes + $0 })
    }

    /// One vector whose lane l is the sum of the lanes of `vectors[l]` (at most 16 vectors;
    /// missing ones count as 0): 15 exchange-and-add steps instead of 16 separate reductions.
    func laneSums(_ vectors: [Value]) -> Value {
        var v = vectors + Array(repeating: splat(Float(0)), count: Self.lanes - vectors.count)
        var d = Self.lanes / 2
        while d > 0 {
            let (first, second) = Self.exchangeMasks(d)
            for r in 0..<d { v[r] = add(shuffle(v[r], v[r + d], first), shuffle(v[r], v[r + d], second)) }
            d /= 2
        }
        return v[0]
    }

    /// The sum of a vector's lanes as a balanced tree: deterministic, and no serial chain of 16 adds.
    func horizontalSum(_ v: Value) -> Value {
        var v = v, width = Self.lanes
        while width > 1 {
            width /= 2
            let low = Array(0..<width) + Array(repeating: 0, count: Self.lanes - width)
            let high = Array(width..<(2 * width)) + Array(repeating: 0, count: Self.lanes - width)
            v = add(shuffle(v, v, low), shuffle(v, v, high))
        }
        return extract(v, 0)
    }

    // MARK: Integers (index arithmetic and float bit manipulation)

    func addInt(_ a: Value, _ b: Value) -> Value { LLVMBuildAdd(builder, a, b, "")! }
    func mulInt(_ a: Value, _ b: Value) -> Value { LLVMBuildMul(builder, a, b, "")! }
    func subInt(_ a: Value, _ b: Value) -> Value { LLVMBuildSub(builder, a, b, "")! }
    func bitcast(_ v: Value, to type: IRType) -> Value { LLVMBuildBitCast(builder, v, type, "")! }
}
