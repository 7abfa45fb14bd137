import Interpreter
import IR
import JIT
import Passes
import Runtime
import TestSupport
import XCTest

/// Builds a one-op (or few-op) program by hand, plans its memory, runs it on both back ends
/// from the same random inputs and parameters, and compares every output and every parameter
/// afterwards (for ops that write parameters).
struct OpHarness {
    var parameters: [Parameter] = []
    /// How input and parameter values are drawn, by name (default: standard normal).
    var values: [String: (inout TestRandom) -> Float] = [:]
    var seed: UInt64 = 3
    /// Which outputs and parameters `check` compares, by name (default: all).
    var compared: (String) -> Bool = { _ in true }

    enum Tolerance {
        /// Bit for bit.
        case exact
        /// Within this fraction of each tensor's scale (`assertClose`).
        case scaled(Float)
        /// Element by element, within this many units in the last place (`assertWithinULPs`).
        case ulps(Float)
    }

    /// Runs the program `build` makes and compares.
    func check(_ what: String, _ tolerance: Tolerance, file: StaticString = #filePath, line: UInt = #line,
               _ build: (inout Builder) throws -> Void) throws {
        var builder = Builder(Program(name: "ops"), parameters: parameters)
        try build(&builder)
        let graph = planMemory(Graph(name: "ops", parameters: parameters, programs: [builder.program]))
        try graph.verify(after: "test")
        let program = graph.programs[0]

        var random = TestRandom(seed: seed)
        let jitStore = ParameterStore<Float>(graph), interpreterStore = ParameterStore<Float>(graph)
        for p in parameters { jitStore[p.name] = (0..<p.shape.count).map { _ in draw(p.name, &random) } }
        interpreterStore.copy(from: jitStore)
        var inputs: [String: [Float]] = [:]
        for (name, shape) in program.inputs { inputs[name] = (0..<shape.count).map { _ in draw(name, &random) } }

        let jit = try JITProgram(program, parameters: jitStore)
        let got = execute(jit, inputs)
        let want = execute(try InterpretedProgram(program, parameters: interpreterStore), inputs)
        func compare(_ got: [Float], _ want: [Float], _ name: String) {
            switch tolerance {
            case .exact: assertWithinULPs(got, want, 0, "\(what): \(name)", file: file, line: line)
            case .scaled(let fraction): assertClose(got, want, tolerance: fraction, "\(what): \(name)", file: file, line: line)
            case .ulps(let ulps): assertWithinULPs(got, want, ulps, "\(what): \(name)", file: file, line: line)
            }
        }
        for (name, expected) in want where compared(name) { compare(got[name]!, expected, "output \(name)") }
        for p in parameters where compared(p.name) { compare(jitStore[p.name], interpreterStore[p.name], "parameter \(p.name)") }
    }

    private func draw(_ name: String, _ random: inout TestRandom) -> Float {
        values[name].map { $0(&random) } ?? Float(random.normal())
    }
}

/// Odd shapes: shorter than a vector, longer than one with a ragged tail, many rows.
let oddShapes: [Shape] = [[3, 5], [7, 130], [33, 200], .scalar, [17]]
