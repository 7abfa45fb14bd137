import CLLVM

/// The machine the JIT compiles for: this one. LLVM 14 names recent CPUs it does not know
/// (Zen 5) "generic" but reports all their features; "generic" plus the host's features gives
/// 512-bit vectors where the CPU has them, which measured fastest (naming skylake-avx512 or
/// x86-64-v4 instead selects 256-bit vectors, and znver3 only compiles slower).
struct HostTarget {
    let triple: String
    let cpu: String
    let features: String
    let target: LLVMTargetRef

    /// Registers the native target with LLVM once per process.
    private static let initialized: Bool = {
        LLVMInitializeX86TargetInfo()
        LLVMInitializeX86Target()
        LLVMInitializeX86TargetMC()
        LLVMInitializeX86AsmPrinter()
        return true
    }()

    static func detect() throws -> HostTarget {
        #if !arch(x86_64)
        throw JITError("the JIT emits x86-64 code; this machine is not x86-64")
        #else
        _ = initialized
        let triple = takeMessage(LLVMGetDefaultTargetTriple())
        var target: LLVMTargetRef?
        var message: UnsafeMutablePointer<CChar>?
        guard LLVMGetTargetFromTriple(triple, &target, &message) == 0, let target else {
            throw JITError("LLVM has no target for \(triple): \(takeMessage(message))")
        }
        return HostTarget(triple: triple, cpu: "generic", features: takeMessage(LLVMGetHostCPUFeatures()), target: target)
        #endif
    }

    /// A new target machine; the caller owns it (or hands it to LLJIT, which then does).
    func makeTargetMachine() throws -> LLVMTargetMachineRef {
        guard let machine = LLVMCreateTargetMachine(target, triple, cpu, features, LLVMCodeGenLevelAggressive,
                                                    LLVMRelocDefault, LLVMCodeModelJITDefault) else {
            throw JITError("LLVM could not create a target machine for \(triple)")
        }
        return machine
    }
}
