import IR

public struct AdamWSettings: Sendable {
    public var adamw: AdamW
    /// Gradients are scaled so that their global norm is at most this (PyTorch's clip_grad_norm_).
    public var clipNorm: Float
    public init(adamw: AdamW, clipNorm: Float) { self.adamw = adamw; self.clipNorm = clipNorm }
}

/// Puts the optimizer into the graph: replaces the `grad.*` outputs of `program` by global-norm
/// clipping and one AdamW update per weight, adds the moment and step-count state, takes the
/// learning rate as the input `adamw.learning_rate` and outputs `grad_norm`.
public func addOptimizer(_ graph: Graph, to name: String, _ settings: AdamWSettings) throws -> Graph {
    var g = graph
    let weights = graph.parameters.filter { $0.kind == .weight }
    g.parameters += weights.flatMap { w in
        ["m", "v"].map { Parameter(name: "adamw.\($0).\(w.name)", kind: .state, shape: w.shape, initializer: .zeros) }
    }
    g.parameters.append(Parameter(name: "adamw.step", kind: .state, shape: .scalar, initializer: .zeros))

    return try g.mapPrograms { program in
        guard program.name == name else { return program }
        var b = Builder(program, parameters: g.parameters)
        let outputs = Dictionary(program.outputs.map { ($0.name, $0.node) }, uniquingKeysWith: { first, _ in first })
        let gradients = try weights.map { w -> Int in
            guard let node = outputs[Interface.Outputs.gradient(of: w.name)] else { throw ShapeError("\(name) has no gradient of \(w.name)") }
            return node
        }
        var squares: Int?
        for gradient in gradients {
            let s = try b.add(.sum(axis: nil), [b.unary(.square, gradient)])
            squares = try squares.map { try b.add($0, s) } ?? s
        }
        let norm = try b.unary(.sqrt, squares ?? b.constant(0))
        // clip_coef = max_norm / (norm + 1e-6), clamped to at most 1.
        let coefficient = try b.binary(.div, b.constant(settings.clipNorm), b.add(norm, constant: 1e-6))
        let scale = try b.binary(.minimum, coefficient, b.constant(1))

        let stepParameter = try b.parameter("adamw.step")
        let step = try b.add(stepParameter, constant: 1)
        let learningRate = try b.input(Interface.Inputs.learningRate, .scalar)
        for (w, gradient) in zip(weights, gradients) {
            try b.add(.adamw(settings.adamw), [b.parameter(w.name), gradient,
                                               b.parameter("adamw.m." + w.name), b.parameter("adamw.v." + w.name),
                                               learningRate, step, scale])
        }
        try b.add(.assign, [stepParameter, step])

        var result = b.program
        result.outputs.removeAll { $0.name.hasPrefix(Interface.Outputs.gradientPrefix) }
        result.outputs.append(Output(name: Interface.Outputs.gradientNorm, node: norm))
        return result
    }
}
