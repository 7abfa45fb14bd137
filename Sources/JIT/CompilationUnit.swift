import CLLVM
import Foundation

/// One LLVM module with its own context, compiled to an object file on its own thread. A
/// graph's kernels are spread over one unit per core, since LLVM spends almost all of a JIT
/// compile optimizing and selecting instructions, one function at a time.
final class CompilationUnit {
    private let context: LLVMContextRef
    private(set) var emitter: Emitter!

    init(name: String) {
        context = LLVMContextCreate()
        emitter = Emitter(context: context, moduleName: name)
    }

    deinit {
        emitter = nil  // the module and builder go before their context
        LLVMContextDispose(context)
    }

    /// Writes the module's IR, as generated, to DIRECTORY/NAME.ll (for SBIC_JIT_DUMP_IR).
    func write(to directory: String) {
        var message: UnsafeMutablePointer<CChar>?
        let path = directory + "/" + moduleName() + ".ll"
        if LLVMPrintModuleToFile(emitter.module, path, &message) != 0 { _ = takeMessage(message) }
    }

    private func moduleName() -> String {
        var length = 0
        guard let name = LLVMGetModuleIdentifier(emitter.module, &length) else { return "module" }
        return String(cString: name)
    }

    /// Optimizes the module and compiles it to an object file for the host; `cpu` gets the
    /// CPU seconds this thread spent in each of the two.
    func compile(for host: HostTarget, cpu: inout (optimize: Double, codegen: Double)) throws -> Data {
        let start = threadCPUSeconds()
        try optimize(emitter.module, for: host)
        let optimized = threadCPUSeconds()
        cpu.optimize = optimized - start
        defer { cpu.codegen = threadCPUSeconds() - optimized }
        let machine = try host.makeTargetMachine()
        defer { LLVMDisposeTargetMachine(machine) }
        var message: UnsafeMutablePointer<CChar>?
        var object: LLVMMemoryBufferRef?
        guard LLVMTargetMachineEmitToMemoryBuffer(machine, emitter.module, LLVMObjectFile, &message, &object) == 0, let object else {
            throw JITError("compiling to machine code: \(takeMessage(message))")
        }
        defer { LLVMDisposeMemoryBuffer(object) }
        return Data(bytes: LLVMGetBufferStart(object), count: LLVMGetBufferSize(object))
    }
}
