import IR

/// A program compiled by a back end, ready to run on float32 data. Inputs are written in place
/// before `run()`, outputs read in place after it; parameters live in the `ParameterStore`
/// the program was compiled against, so every back end sees the same weights.
public protocol Executable: AnyObject {
    var program: Program { get }
    func input(_ name: String) -> UnsafeMutableBufferPointer<Float>
    func output(_ name: String) -> UnsafeBufferPointer<Float>
    func run()
}

/// Compiles one program of a graph for a back end.
public typealias BackendCompiler = (Program, ParameterStore<Float>) throws -> Executable

extension InterpretedProgram: Executable where T == Float {}
