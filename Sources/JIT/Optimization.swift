import CLLVM

/// Verifies a module and optimizes it for the host: LLVM's O3 pipeline with the SLP
/// vectorizer on (the C API leaves it off). The kernels are vectorized by construction; O3
/// adds scheduling, strength reduction of the address arithmetic and the like.
func optimize(_ module: LLVMModuleRef, for host: HostTarget) throws {
    var message: UnsafeMutablePointer<CChar>?
    if LLVMVerifyModule(module, LLVMReturnStatusAction, &message) != 0 {
        throw JITError("the generated LLVM IR is invalid: \(takeMessage(message))")
    }
    _ = takeMessage(message)  // LLVM may allocate an empty message on success too
    let machine = try host.makeTargetMachine()
    defer { LLVMDisposeTargetMachine(machine) }
    LLVMSetTarget(module, host.triple)
    let layout = LLVMCreateTargetDataLayout(machine)
    LLVMSetModuleDataLayout(module, layout)
    LLVMDisposeTargetData(layout)
    let options = LLVMCreatePassBuilderOptions()
    defer { LLVMDisposePassBuilderOptions(options) }
    LLVMPassBuilderOptionsSetSLPVectorization(options, 1)
    LLVMPassBuilderOptionsSetLoopVectorization(options, 1)
    // The kernels are unrolled where it pays by construction (register tiles); LLVM's
    // unroller added a quarter to compile times for no measurable speed.
    LLVMPassBuilderOptionsSetLoopUnrolling(options, 0)
    try check(LLVMRunPasses(module, "default<O3>", machine, options), "optimizing")
}
