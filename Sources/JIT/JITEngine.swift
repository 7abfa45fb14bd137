import CLLVM
import Foundation

/// The process's one ORC LLJIT. Building an LLJIT costs tens of milliseconds, so every compiled
/// module goes into the same one, under its own resource tracker so that its code is freed when
/// the last program using it goes away. Symbols are named after the code's `CacheKey`, so the
/// code of one key is loaded at most once at a time: compiling the same programs again while
/// their code is loaded shares it. ORC itself is thread-safe; `lock` guards the error messages
/// the session reports, `registryLock` the loaded code by key.
final class JITEngine: @unchecked Sendable {
    let host: HostTarget
    private let jit: LLVMOrcLLJITRef
    private let mainDylib: LLVMOrcJITDylibRef
    private let lock = NSLock()
    private var reportedErrors: [String] = []
    private let registryLock = NSRecursiveLock()  // a failed load unloads its partial code while holding it
    private var registry: [CacheKey: Registered] = [:]

    private final class Registered {
        weak var code: LoadedCode?
        let id: ObjectIdentifier
        init(_ code: LoadedCode) { self.code = code; id = ObjectIdentifier(code) }
    }

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

    /// The loaded code of `key`: the code already loaded for it, or the objects `produce` gives
    /// (from the cache or the compiler), loaded and linked, `symbols` resolved. `fresh` says which.
    func code(for key: CacheKey, symbols: [String],
              _ produce: () throws -> (objects: [Data], kernels: [String])) throws -> (code: LoadedCode, fresh: Bool) {
        if let loaded = registered(key) { return (loaded, false) }
        let (objects, kernels) = try produce()
        while true {
            registryLock.lock()
            if let entry = registry[key] {
                registryLock.unlock()
                if let loaded = entry.code { return (loaded, false) }
                sched_yield()  // the last user of that code is unloading it; its symbols go with it
                continue
            }
            defer { registryLock.unlock() }
            let code = try load(objects: objects, symbols: symbols + kernels, key: key)
            registry[key] = Registered(code)
            return (code, true)
        }
    }

    /// The code loaded for `key`, waiting out code of that key that is being unloaded.
    private func registered(_ key: CacheKey) -> LoadedCode? {
        while true {
            registryLock.lock()
            guard let entry = registry[key] else { registryLock.unlock(); return nil }
            let code = entry.code
            registryLock.unlock()
            if let code { return code }
            sched_yield()
        }
    }

    /// Adds object files and resolves `symbols` in them, which links them into this process.
    private func load(objects: [Data], symbols: [String], key: CacheKey) throws -> LoadedCode {
        let code = LoadedCode(tracker: LLVMOrcJITDylibCreateResourceTracker(mainDylib)!, key: key, engine: self)
        for object in objects {
            let buffer = object.withUnsafeBytes { bytes in
                LLVMCreateMemoryBufferWithMemoryRangeCopy(bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count, "sbic")!
            }
            // Adding takes the buffer, even when it fails.
            if let error = LLVMOrcLLJITAddObjectFileWithRT(jit, code.tracker, buffer) {
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

    /// Frees `code`'s machine code and forgets it; called by its deinit, so no program uses it.
    fileprivate func unload(_ code: LoadedCode) {
        registryLock.lock()
        defer { registryLock.unlock() }
        if let error = LLVMOrcResourceTrackerRemove(code.tracker) { _ = consume(error) }
        LLVMOrcReleaseResourceTracker(code.tracker)
        if registry[code.key]?.id == ObjectIdentifier(code) { registry[code.key] = nil }
    }
}

/// Machine code owned by the JIT, released when the last program holding it goes away.
final class LoadedCode: @unchecked Sendable {
    fileprivate let tracker: LLVMOrcResourceTrackerRef
    fileprivate let key: CacheKey
    private let engine: JITEngine
    fileprivate(set) var addresses: [String: LLVMOrcExecutorAddress] = [:]

    fileprivate init(tracker: LLVMOrcResourceTrackerRef, key: CacheKey, engine: JITEngine) {
        (self.tracker, self.key, self.engine) = (tracker, key, engine)
    }

    deinit { engine.unload(self) }
}
