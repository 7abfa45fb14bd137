import IR
import Interpreter
import Passes
import Runtime

/// Builds one program from `build`, plans it and returns it with a parameter store: the
/// families' graphs run on their own, inputs in, outputs out.
func program<T: Scalar>(_: T.Type, _ build: (inout Builder) throws -> Void) throws
    -> (Graph, InterpretedProgram<T>, ParameterStore<T>) {
    var b = Builder(Program(name: "p"), parameters: [])
    try build(&b)
    let graph = planMemory(Graph(name: "family", parameters: [], programs: [b.program]))
    try graph.verify(after: "test")
    let store = ParameterStore<T>(graph)
    return (graph, try InterpretedProgram(graph.programs[0], parameters: store), store)
}

/// Autodiff's gradients of Σ_rows r · loss(values) with respect to every value, each a
/// parameter of shape [rows, width], and the graph's loss as a function of one of them
/// changed: what a test compares with central differences.
struct GradientCheck {
    let parameters: [Parameter]
    let store: ParameterStore<Double>
    let run: InterpretedProgram<Double>
    let r: [Double]

    init(rows: Int, widths: [(String, Int)], values: [String: [Double]], r: [Double],
         _ loss: (inout Builder, [Int]) throws -> Int) throws {
        parameters = widths.map { Parameter(name: $0.0, kind: .weight, shape: [rows, $0.1], initializer: .zeros) }
        var b = Builder(Program(name: "gradients"), parameters: parameters)
        let nodes = try parameters.map { try b.parameter($0.name) }
        let perRow = try loss(&b, nodes)
        b.output("loss", try b.add(.sum(axis: nil), [b.mul(perRow, b.input("r", [rows]))]))
        let graph = planMemory(eliminateDeadCode(try differentiate(Graph(name: "g", parameters: parameters, programs: [b.program]),
                                                                    programs: ["gradients"])))
        try graph.verify(after: "test")
        store = ParameterStore<Double>(graph)
        for p in parameters { store[p.name] = values[p.name]! }
        run = try InterpretedProgram(graph.program("gradients")!, parameters: store)
        self.r = r
    }

    /// The analytic gradient of each parameter.
    var analytic: [String: [Double]] {
        let outputs = run.run(["r": r])
        return Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, outputs["grad." + $0.name]!) })
    }

    /// The loss with `name` set to `values`, the other parameters as they were.
    func loss(setting name: String, to values: [Double]) -> Double {
        let original = store[name]
        store[name] = values
        defer { store[name] = original }
        return run.run(["r": r])["loss"]![0]
    }
}
