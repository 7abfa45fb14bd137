import IR
import Runtime

extension InterpretedProgram: Executable where T == Float {}

extension InterpretedProgram where T == Float {
    /// The interpreter as a back end (`BackendCompiler`): each program on its own, as
    /// interpreted programs share nothing but the parameters.
    public static func executables(_ programs: [Program], parameters: ParameterStore<Float>) throws -> [Executable] {
        try programs.map { try InterpretedProgram($0, parameters: parameters) }
    }
}
