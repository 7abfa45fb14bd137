import CLLVM

extension Emitter {
    /// `base + offset` floats. Addresses are in bounds of the buffer `base` points into (which
    /// lets LLVM reason about them), unless `inBounds` is false: an address that only a masked
    /// access with its lanes off will use may lie outside.
    func advance(_ base: Value, by offset: Value, inBounds: Bool = true) -> Value {
        var index: [Value?] = [offset]
        return index.withUnsafeMutableBufferPointer {
            inBounds ? LLVMBuildInBoundsGEP2(builder, float, base, $0.baseAddress, 1, "")!
                     : LLVMBuildGEP2(builder, float, base, $0.baseAddress, 1, "")!
        }
    }

    func advance(_ base: Value, by offset: Int) -> Value { offset == 0 ? base : advance(base, by: int(offset)) }

    /// Loads `lanes` consecutive floats (all 16, or fewer through a mask; the rest read as 0).
    func load(_ p: Value, lanes: Int = Emitter.lanes) -> Value {
        guard lanes >= Self.lanes else { return maskedLoad(p, mask(lanes)) }
        let v = LLVMBuildLoad2(builder, vector, bitcast(p, to: vectorPointer), "")!
        LLVMSetAlignment(v, 4)
        return v
    }

    /// Loads the lanes of a run-time mask; the others read as 0.
    func maskedLoad(_ p: Value, _ mask: Value) -> Value {
        intrinsic("llvm.masked.load", [vector, vectorPointer],
                  [bitcast(p, to: vectorPointer), i32(4), mask, LLVMConstNull(vector)])
    }

    func maskedStore(_ v: Value, _ p: Value, _ mask: Value) {
        _ = intrinsic("llvm.masked.store", [vector, vectorPointer], [v, bitcast(p, to: vectorPointer), i32(4), mask])
    }

    /// Stores the first `lanes` lanes of `v` to consecutive floats.
    func store(_ v: Value, _ p: Value, lanes: Int = Emitter.lanes) {
        guard lanes >= Self.lanes else { return maskedStore(v, p, mask(lanes)) }
        LLVMSetAlignment(LLVMBuildStore(builder, v, bitcast(p, to: vectorPointer)), 4)
    }

    func loadScalar(_ p: Value) -> Value { LLVMBuildLoad2(builder, float, p, "")! }
    func storeScalar(_ v: Value, _ p: Value) { LLVMBuildStore(builder, v, p) }
}
