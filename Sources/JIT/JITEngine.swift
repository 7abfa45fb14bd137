import CLLVM
import Foundation

/// The process's one ORC LLJIT. Building an LLJIT costs tens of milliseconds, so every compiled
/// module goes into the same one, under its own resource tracker so that its code is freed when
/// the last program using it goes away. ORC itself is thread-safe; the lock guards only the
/// error messages the session reports.
final class JITEngine: @unchecked Sendable {
    let host: HostTarget
    private let jit: LLVMOrcLLJITRef
    private let mainDylib: LLVMOrcJITDylibRef
    private let lock = NSLock()
    private var reportedErrors: [String] = []
    private var nextModule = 0

    /// Built on first use; a failure is remembered and rethrown to every caller.
    private static let built: Result<JITEngine, JITError> = {
        do { return .success(try JITEngine()) } catch let error as JITError { return .failure(error) } catch {
            return .failure(JITError("\(error)"))
        }
    }()

    static func shared() throws -> JITEngine { try built.get() }

    private init() throws {
        host = try HostTarget.detect()
        let builder = LLVMOrcCreateLLJITBuilder()
        // LLJIT takes ownership of both the target machine builder and the target machine.
        LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(
            builder, LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(try host.makeTargetMachine()))
        var jit: LLVMOrcLLJITRef?
        try check(LLVMOrcCreateLLJIT(&jit, builder), "creating the LLJIT")
        guard let jit else { throw JITError("LLVM returned no LLJIT") }
        self.jit = jit
        mainDylib = LLVMOrcLLJITGetMainJITDylib(jit)

        // Without a reporter, ORC prints "JIT session error" lines to standard error; keep them
        // instead and fold them into the error thrown for the failing lookup.
        LLVMOrcExecutionSessionSetErrorReporter(LLVMOrcLLJITGetExecutionSession(jit), { context, error in
            guard let context, let error else { return }
            let engine = Unmanaged<JITEngine>.fromOpaque(context).takeUnretainedValue()
            engine.record(consume(error))
        }, Unmanaged.passUnretained(self).toOpaque())

        // JIT'd code calls libm (expf for AdamW's bias correction) and OpenBLAS: resolve
        // undefined symbols against what this process has loaded.
        var generator: LLVMOrcDefinitionGeneratorRef?
        try check(LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&generator, LLVMOrcLLJITGetGlobalPrefix(jit), nil, nil),
                  "searching the process for symbols")
        LLVMOrcJITDylibAddGenerator(mainDylib, generator)
    }

    private func record(_ message: String) {
        lock.lock()
        reportedErrors.append(message)
        lock.unlock()
    }

    private func takeReportedErrors() -> [String] {
        lock.lock()
        defer { reportedErrors = []; lock.unlock() }
        return reportedErrors
    }

    /// A prefix that keeps the symbols of different modules apart in the shared JITDylib.
    func uniquePrefix() -> String {
        lock.lock()
        defer { nextModule += 1; lock.unlock() }
        return "sbic\(nextModule)_"
    }

    /// Adds object files and resolves `symbols` in them, which links them into this process.
    func load(objects: [LLVMMemoryBufferRef], symbols: [String]) throws -> LoadedCode {
        let code = LoadedCode(tracker: LLVMOrcJITDylibCreateResourceTracker(mainDylib)!)
        for (i, object) in objects.enumerated() {
            // Adding takes the buffer, even when it fails.
            if let error = LLVMOrcLLJITAddObjectFileWithRT(jit, code.tracker, object) {
                for rest in objects[(i + 1)...] { LLVMDisposeMemoryBuffer(rest) }
                throw JITError("adding code to the JIT: \(consume(error))")
            }
        }
        for symbol in symbols {
            var address: LLVMOrcExecutorAddress = 0
            if let error = LLVMOrcLLJITLookup(jit, &address, symbol) {
                throw JITError("linking \(symbol): " + ([consume(error)] + takeReportedErrors()).joined(separator: "; "))
            }
            guard address != 0 else { throw JITError("linking \(symbol): no address") }
            code.addresses[symbol] = address
        }
        return code
    }
}

/// Machine code owned by the JIT, released when the last program holding it goes away.
final class LoadedCode: @unchecked Sendable {
    fileprivate let tracker: LLVMOrcResourceTrackerRef
    fileprivate(set) var addresses: [String: LLVMOrcExecutorAddress] = [:]

    fileprivate init(tracker: LLVMOrcResourceTrackerRef) { self.tracker = tracker }

    deinit {
        if let error = LLVMOrcResourceTrackerRemove(tracker) { _ = consume(error) }
        LLVMOrcReleaseResourceTracker(tracker)
    }
}
