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

/// A back end: compiles the programs of a graph that a command runs, all in one call (the JIT
/// then generates and optimizes each kernel they share once), against the graph's parameters.
/// The executables come back in the order of `programs`.
public typealias BackendCompiler = (_ programs: [Program], _ parameters: ParameterStore<Float>) throws -> [Executable]
