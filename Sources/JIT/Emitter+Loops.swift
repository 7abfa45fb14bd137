import CLLVM

extension Emitter {
    /// `body(i)` for i = start, start + step, … < end, as a counted loop (inline when it runs
    /// once, nothing when it runs never). Values in `carried` flow from one iteration to the
    /// next; their values after the last iteration are returned.
    @discardableResult
    func loop(from start: Int = 0, to end: Int, step: Int = 1, carrying carried: [Value] = [],
              _ body: (Value, [Value]) -> [Value]) -> [Value] {
        let trips = end > start ? (end - start + step - 1) / step : 0
        if trips == 0 { return carried }
        if trips == 1 { return body(int(start), carried) }
        let entry = LLVMGetInsertBlock(builder)!
        let header = LLVMAppendBasicBlockInContext(context, function, "loop")!
        let exit = LLVMAppendBasicBlockInContext(context, function, "loop.end")!
        LLVMBuildBr(builder, header)
        LLVMPositionBuilderAtEnd(builder, header)
        let index = LLVMBuildPhi(builder, int64, "")!
        let phis = carried.map { LLVMBuildPhi(builder, LLVMTypeOf($0), "")! }
        let results = body(index, phis)
        let latch = LLVMGetInsertBlock(builder)!
        let next = LLVMBuildAdd(builder, index, int(step), "")!
        let more = LLVMBuildICmp(builder, LLVMIntSLT, next, int(end), "")!
        LLVMBuildCondBr(builder, more, header, exit)
        addIncoming(index, [(int(start), entry), (next, latch)])
        for (phi, (initial, result)) in zip(phis, zip(carried, results)) {
            addIncoming(phi, [(initial, entry), (result, latch)])
        }
        LLVMPositionBuilderAtEnd(builder, exit)
        return results
    }

    /// `body(i)` for i = start, start + step, … < end where the bounds are only known at run time.
    func loop(from start: Value? = nil, to end: Value, step: Int, _ body: (Value) -> Void) {
        let start = start ?? int(0)
        let entry = LLVMGetInsertBlock(builder)!
        let header = LLVMAppendBasicBlockInContext(context, function, "loop")!
        let exit = LLVMAppendBasicBlockInContext(context, function, "loop.end")!
        LLVMBuildCondBr(builder, LLVMBuildICmp(builder, LLVMIntSLT, start, end, "")!, header, exit)
        LLVMPositionBuilderAtEnd(builder, header)
        let index = LLVMBuildPhi(builder, int64, "")!
        body(index)
        let latch = LLVMGetInsertBlock(builder)!
        let next = LLVMBuildAdd(builder, index, int(step), "")!
        LLVMBuildCondBr(builder, LLVMBuildICmp(builder, LLVMIntSLT, next, end, "")!, header, exit)
        addIncoming(index, [(start, entry), (next, latch)])
        LLVMPositionBuilderAtEnd(builder, exit)
    }

    /// A loop without carried values.
    func loop(from start: Int = 0, to end: Int, step: Int = 1, _ body: (Value) -> Void) {
        loop(from: start, to: end, step: step, carrying: []) { i, _ in body(i); return [] }
    }

    private func addIncoming(_ phi: Value, _ incoming: [(Value, LLVMBasicBlockRef)]) {
        var values = incoming.map { Optional($0.0) }
        var blocks = incoming.map { Optional($0.1) }
        values.withUnsafeMutableBufferPointer { v in
            blocks.withUnsafeMutableBufferPointer { b in LLVMAddIncoming(phi, v.baseAddress, b.baseAddress, UInt32(incoming.count)) }
        }
    }
}
