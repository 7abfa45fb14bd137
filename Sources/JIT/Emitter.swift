import CLLVM

typealias Value = LLVMValueRef
typealias IRType = LLVMTypeRef

/// A function and its type, which LLVM needs at every call.
struct Function {
    var value: Value
    var type: IRType
    init(_ value: Value, _ type: IRType) { self.value = value; self.type = type }
}

/// Builds LLVM IR through the C API in the vocabulary the kernels use: 16-lane float vectors,
/// counted loops with constant trip counts, and masked loads and stores for the ragged tail of
/// a row (shapes are constants, so every mask is too). Values, memory access and loops are in
/// the Emitter+ files.
final class Emitter {
    /// Floats per vector: 512-bit registers, the widest this machine has. On a CPU without
    /// AVX-512, LLVM splits each vector in two and the code stays correct.
    static let lanes = 16

    let context: LLVMContextRef
    let module: LLVMModuleRef
    let builder: LLVMBuilderRef

    let void: IRType
    let bool: IRType
    let int32: IRType
    let int64: IRType
    let float: IRType
    let floatPointer: IRType
    let vector: IRType
    let vectorPointer: IRType
    let intVector: IRType
    let maskType: IRType

    private(set) var function: Value?
    private struct IntrinsicKey: Hashable { var name: String; var overloads: [IRType] }
    private var intrinsics: [IntrinsicKey: Function] = [:]

    init(context: LLVMContextRef, moduleName: String) {
        self.context = context
        module = LLVMModuleCreateWithNameInContext(moduleName, context)
        builder = LLVMCreateBuilderInContext(context)
        void = LLVMVoidTypeInContext(context)
        bool = LLVMInt1TypeInContext(context)
        int32 = LLVMInt32TypeInContext(context)
        int64 = LLVMInt64TypeInContext(context)
        float = LLVMFloatTypeInContext(context)
        floatPointer = LLVMPointerType(float, 0)
        vector = LLVMVectorType(float, UInt32(Self.lanes))
        vectorPointer = LLVMPointerType(vector, 0)
        intVector = LLVMVectorType(int32, UInt32(Self.lanes))
        maskType = LLVMVectorType(bool, UInt32(Self.lanes))
    }

    deinit {
        LLVMDisposeBuilder(builder)
        LLVMDisposeModule(module)
    }

    // MARK: Functions

    /// The parameter list of a kernel: float pointers only.
    func pointers(_ count: Int) -> [IRType] { Array(repeating: floatPointer, count: count) }

    /// Starts a function `void name(parameters)` and positions the builder in its entry block.
    /// Entry points and kernels are exported to the JIT's linker; helpers stay internal.
    func beginFunction(_ name: String, parameters: [IRType], returns result: IRType? = nil, exported: Bool) -> [Value] {
        let f = LLVMAddFunction(module, name, functionType(result ?? void, parameters))!
        if !exported { LLVMSetLinkage(f, LLVMInternalLinkage) }
        addAttribute("nounwind", to: f)
        function = f
        LLVMPositionBuilderAtEnd(builder, LLVMAppendBasicBlockInContext(context, f, "entry"))
        return (0..<parameters.count).map { LLVMGetParam(f, UInt32($0))! }
    }

    /// A function emitted once per module under `name` and called wherever it is needed; the
    /// caller's insertion point is kept. It is not inlined: sharing its code is the point (LLVM
    /// spends about as long on each copy of a function as on the function). With
    /// `optimized: false` LLVM compiles it as written (optnone). `body` returns the result,
    /// if the helper has one.
    func helper(_ name: String, parameters: [IRType], returns result: IRType? = nil, optimized: Bool = true,
                _ body: ([Value]) -> Value?) -> Function {
        if let defined = LLVMGetNamedFunction(module, name) { return Function(defined, LLVMGlobalGetValueType(defined)!) }
        let (caller, block) = (function, LLVMGetInsertBlock(builder))
        let arguments = beginFunction(name, parameters: parameters, returns: result, exported: false)
        let f = function!
        addAttribute("noinline", to: f)
        if !optimized { addAttribute("optnone", to: f) }
        endFunction(returning: body(arguments))
        function = caller
        if let block { LLVMPositionBuilderAtEnd(builder, block) }
        return Function(f, LLVMGlobalGetValueType(f)!)
    }

    func endFunction(returning result: Value? = nil) {
        if let result { LLVMBuildRet(builder, result) } else { LLVMBuildRetVoid(builder) }
        var block = LLVMGetFirstBasicBlock(function)
        while let b = block {
            var instruction = LLVMGetFirstInstruction(b)
            while let i = instruction { instructionCount += 1; instruction = LLVMGetNextInstruction(i) }
            block = LLVMGetNextBasicBlock(b)
        }
        function = nil
    }

    /// Instructions in the finished functions: how much work the module is for LLVM.
    private(set) var instructionCount = 0

    /// A function of this module, or a declaration of one defined elsewhere: in another
    /// compilation unit (a kernel) or in this process (libm, OpenBLAS), resolved at load time.
    func declare(_ name: String, returns result: IRType? = nil, _ parameters: [IRType]) -> Function {
        if let defined = LLVMGetNamedFunction(module, name) { return Function(defined, LLVMGlobalGetValueType(defined)!) }
        let type = functionType(result ?? void, parameters)
        let f = LLVMAddFunction(module, name, type)!
        addAttribute("nounwind", to: f)
        return Function(f, type)
    }

    private func functionType(_ result: IRType, _ parameters: [IRType]) -> IRType {
        var types = parameters.map { Optional($0) }
        return types.withUnsafeMutableBufferPointer { LLVMFunctionType(result, $0.baseAddress, UInt32($0.count), 0)! }
    }

    func addAttribute(_ name: String, to f: Value) {
        let kind = LLVMGetEnumAttributeKindForName(name, name.utf8.count)
        LLVMAddAttributeAtIndex(f, LLVMAttributeIndex.max /* the function itself */, LLVMCreateEnumAttribute(context, kind, 0))
    }

    @discardableResult
    func call(_ f: Function, _ arguments: [Value]) -> Value {
        var args = arguments.map { Optional($0) }
        return args.withUnsafeMutableBufferPointer { LLVMBuildCall2(builder, f.type, f.value, $0.baseAddress, UInt32($0.count), "")! }
    }

    /// Calls the LLVM intrinsic `name` overloaded on `overloads` (e.g. llvm.fma on <16 x float>).
    func intrinsic(_ name: String, _ overloads: [IRType], _ arguments: [Value]) -> Value {
        let key = IntrinsicKey(name: name, overloads: overloads)
        if intrinsics[key] == nil {
            let id = LLVMLookupIntrinsicID(name, name.utf8.count)
            precondition(id != 0, "unknown intrinsic \(name)")  // names are literals in this module
            var types = overloads.map { Optional($0) }
            intrinsics[key] = types.withUnsafeMutableBufferPointer {
                Function(LLVMGetIntrinsicDeclaration(module, id, $0.baseAddress, $0.count)!,
                         LLVMIntrinsicGetType(context, id, $0.baseAddress, $0.count)!)
            }
        }
        return call(intrinsics[key]!, arguments)
    }
}
