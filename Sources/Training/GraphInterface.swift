import IR

/// What training and sampling read from a compiled graph: the two data variables with their
/// sizes, and for each program they run, its batch size, inputs and outputs.
///
/// A graph that sbic compiled always fits. One read from a `.sbig` file may have been edited
/// or damaged, and a back end's input and output slots are raw memory: a size that disagrees
/// with the data would be an out-of-bounds write, not an error. So the interface is checked
/// here, once, before any buffer is bound, and the memory the programs need is checked
/// against the machine's before any of it is allocated.
public struct GraphInterface: Sendable {
    /// The observation y (`sample.given`) and the parameters θ (`sample.target`), with their sizes.
    public let layout: DataLayout
    public var given: String { layout.given }
    public var target: String { layout.target }
    public var givenSize: Int { layout.givenSize }
    public var targetSize: Int { layout.targetSize }

    public init(_ graph: Graph) throws {
        do { layout = try DataLayout(graph) } catch let error as MetadataError { throw TrainingError(error.description) }
    }

    /// The batch size of training, after checking `train_step` and `loss`, against each other
    /// too, and that they fit in memory together with the parameters.
    public func trainingBatch(of graph: Graph) throws -> Int {
        let (step, loss) = (Interface.Programs.trainStep, Interface.Programs.loss)
        let batch = try check(graph, step, scalars: [Interface.Inputs.learningRate],
                              outputs: [(Interface.Outputs.loss, { _ in .scalar })])
        let validationBatch = try check(graph, loss, outputs: [(Interface.Outputs.exampleLoss, { [$0] })])
        guard validationBatch == batch else {
            throw TrainingError("program \(loss) has batch \(validationBatch), program \(step) \(batch)")
        }
        // The trainer draws the same noise for both: each must read exactly the other's.
        let noise = [step, loss].map { name in
            Dictionary(graph.program(name)!.inputs.filter { Interface.Inputs.isNoise($0.name) }.map { ($0.name, $0.shape) },
                       uniquingKeysWith: { a, _ in a })
        }
        for (name, shape) in noise[0].sorted(by: { $0.key < $1.key }) where noise[1][name] != shape {
            throw TrainingError("program \(loss): expected an input \(name) of shape \(shape), as \(step) has")
        }
        for (name, shape) in noise[1].sorted(by: { $0.key < $1.key }) where noise[0][name] != shape {
            throw TrainingError("program \(step): expected an input \(name) of shape \(shape), as \(loss) has")
        }
        try checkMemory(graph, running: Interface.Programs.training)
        return batch
    }

    /// The batch size of sampling (samples of one observation per run), after checking
    /// `sample` and that it fits in memory.
    public func samplingBatch(of graph: Graph) throws -> Int {
        let batch = try check(graph, Interface.Programs.sample, reads: [(given, givenSize)], observationRows: 1,
                              outputs: [(target, { [$0, targetSize] })])
        try checkMemory(graph, running: [Interface.Programs.sample])
        return batch
    }

    /// The batch size of the log-density program (rows of θ and y per run), after checking
    /// `log_density` and that it fits in memory.
    public func densityBatch(of graph: Graph) throws -> Int {
        let batch = try check(graph, Interface.Programs.logDensity, outputs: [(Interface.Outputs.logDensity, { [$0] })])
        try checkMemory(graph, running: [Interface.Programs.logDensity])
        return batch
    }

    /// The batch size of program `name`: it must read the data variables `reads` as
    /// [batch, size] (or [observationRows, size]: the sampler's one observation), any number
    /// of `noise.*` inputs as [batch, width] and the `scalars`, and write `outputs` in the
    /// shapes given for its batch size. Nothing else, since no caller would feed it.
    private func check(_ graph: Graph, _ name: String, reads data: [(String, Int)]? = nil, observationRows: Int? = nil,
                       scalars: [String] = [], outputs: [(String, (Int) -> Shape)]) throws -> Int {
        guard let program = graph.program(name) else { throw TrainingError("the graph has no \(name) program") }
        func failure(_ message: String) -> TrainingError { TrainingError("program \(name): " + message) }
        let data = data ?? [(target, targetSize), (given, givenSize)]
        let inputs = program.inputs
        // The batch is the rows of the first data input, or of the first output when the data
        // come one observation at a time.
        let batchSource = observationRows == nil ? inputs.first(where: { $0.name == data[0].0 })?.shape
                                                 : program.output(outputs[0].0).map { program.nodes[$0].shape }
        guard let source = batchSource, source.rank == 2 else {
            throw failure(observationRows == nil ? "expected an input \(data[0].0) of shape [batch, \(data[0].1)]"
                                                 : "expected an output \(outputs[0].0) of shape [batch, \(targetSize)]")
        }
        let batch = source.dims[0]
        for (variable, size) in data {
            let expected: Shape = [observationRows ?? batch, size]
            guard let shape = inputs.first(where: { $0.name == variable })?.shape, shape == expected else {
                throw failure("expected an input \(variable) of shape \(expected) (meta \((variable == given ? DataLayout.CodingKeys.givenSize : .targetSize).rawValue))")
            }
        }
        for scalar in scalars where inputs.first(where: { $0.name == scalar })?.shape != .scalar {
            throw failure("expected a scalar input \(scalar)")
        }
        let known = Set(data.map(\.0) + scalars)
        for (input, shape) in inputs where !known.contains(input) {
            guard Interface.Inputs.isNoise(input), shape.rank == 2, shape.dims[0] == batch else {
                throw failure("input \(input) of shape \(shape) is neither data, noise of batch \(batch), nor a setting")
            }
        }
        for (output, expected) in outputs {
            guard let node = program.output(output), program.nodes[node].shape == expected(batch) else {
                throw failure("expected an output \(output) of shape \(expected(batch))")
            }
            // An output that is a leaf (an input handed back) computes nothing.
            guard !program.nodes[node].op.traits.contains(.leaf) else {
                throw failure("output \(output) is %\(node) (\(program.nodes[node].op.name)), not a value the program computes")
            }
        }
        guard program.memory != nil else { throw failure("no memory plan: the graph was not compiled to the end") }
        return batch
    }

    /// Refuses a graph whose parameters and the arenas of `programs` need more memory than
    /// the machine has.
    private func checkMemory(_ graph: Graph, running programs: [String]) throws {
        try MemoryBudget.require(saturatingAdd(graph.parameterBytes, graph.arenaBytes(of: programs)),
                                 for: "running " + programs.joined(separator: " and "))
    }
}
