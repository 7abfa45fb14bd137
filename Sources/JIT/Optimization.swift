import CLLVM

/// Verifies a module and prepares it for the host's code generator. No IR optimization
/// pipeline runs: the kernels are vectorized, tiled and unrolled by construction, and the code
/// generator's own passes (strength reduction of the address arithmetic, CSE, loop-invariant
/// code motion, scheduling) give them the same inner loops that LLVM's O3 pipeline did before
/// them. Across every paper spec the innermost loops came out the same length without it, to
/// an instruction, save loops of two to four iterations that O3 unrolled and the shared
/// transpose, which O3 specialized where a module calls it with one shape only; no program ran
/// measurably slower, and O3 took about 40 % of a cold compile's CPU time (docs/benchmarks.md).
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
}
