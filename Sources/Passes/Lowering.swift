import Foundation
import IR
import Spec

/// Lowers a validated spec to a graph of primitive ops: the weights of every network, and
/// the forward programs
///   - `train_step` and `gradients`: the batch's scalar loss (`loss`), to be differentiated;
///   - `loss`: the loss of each example (`example_loss`, [batch]) for validation;
///   - `sample`: one observation ([1, size]) and a batch of noise in, that many samples of the
///     target (θ) out;
///   - `log_density`: rows of θ and y and a batch of noise in, one log importance weight of
///     the sampling path's density per row out (`Lowering.logDensity`).
/// Inputs are the data variables by name, `noise.<variable>` for each reparameterized sample.
public func lower(_ spec: ModelSpec) throws -> Graph {
    var graph = Graph(name: spec.name, metadata: try metadata(spec), parameters: weights(spec))
    let batch = spec.training.batchSize
    for name in Interface.Programs.differentiated {
        var lowering = Lowering(spec: spec, builder: Builder(Program(name: name), parameters: graph.parameters), batch: batch)
        let perExample = try lowering.exampleLoss()
        let mean = try lowering.b.mul(lowering.b.add(.sum(axis: nil), [perExample]), constant: 1 / Float(batch))
        lowering.b.output(Interface.Outputs.loss, mean)
        graph.programs.append(lowering.b.program)
    }
    var validation = Lowering(spec: spec, builder: Builder(Program(name: Interface.Programs.loss), parameters: graph.parameters), batch: batch)
    validation.b.output(Interface.Outputs.exampleLoss, try validation.exampleLoss())
    graph.programs.append(validation.b.program)

    var sampling = Lowering(spec: spec, builder: Builder(Program(name: Interface.Programs.sample), parameters: graph.parameters),
                            batch: spec.sampling.batchSize)
    sampling.b.output(spec.sampling.target, try sampling.samplePath())
    graph.programs.append(sampling.b.program)

    var density = Lowering(spec: spec, builder: Builder(Program(name: Interface.Programs.logDensity), parameters: graph.parameters),
                           batch: spec.sampling.batchSize)
    if let logWeight = try density.logDensity() {
        density.b.output(Interface.Outputs.logDensity, logWeight)
        graph.programs.append(density.b.program)
    }
    return graph
}

/// Weights of a learned network: one dense layer per hidden width, then its family's heads
/// (a Gaussian's mean and log-variance): Kaiming-normal weights (stored [fan in, fan out]),
/// zero biases. Then the family's own parameters (a flow's coupling networks), initialized as
/// the family says.
private func weights(_ spec: ModelSpec) -> [Parameter] {
    spec.networks.filter { $0.distribution.capabilities.contains(.learned) }.flatMap { net -> [Parameter] in
        var fanIn = net.inputs.reduce(0) { $0 + spec.variable($1)!.size }
        let size = spec.variable(net.output)!.size
        var layers: [(String, Int)] = net.hidden.enumerated().map { ("layer\($0.offset)", $0.element) }
        layers += net.distribution.family.heads(size: size).map { ($0.name, $0.width) }
        let dense = layers.flatMap { layer, width -> [Parameter] in
            defer { if layer.hasPrefix("layer") { fanIn = width } }
            return [Parameter(name: "\(net.name).\(layer).weight", kind: .weight, shape: [fanIn, width],
                              initializer: .kaimingNormal(fanIn: fanIn)),
                    Parameter(name: "\(net.name).\(layer).bias", kind: .weight, shape: [width], initializer: .zeros)]
        }
        return dense + net.distribution.family.ownParameters(size: size).map {
            Parameter(name: "\(net.name).\($0.name)", kind: .weight, shape: $0.shape, initializer: $0.initializer)
        }
    }
}

/// What the runtime needs to know without the spec: the data layout and the training protocol.
private func metadata(_ spec: ModelSpec) throws -> [String: String] {
    let t = spec.training
    let (given, target) = (spec.sampling.given, spec.sampling.target)
    let layout = DataLayout(given: given, givenSize: spec.variable(given)!.size, target: target,
                            targetSize: spec.variable(target)!.size)
    let training = TrainingSettings(
        optimizer: t.optimizer, learningRate: t.learningRate, weightDecay: t.weightDecay, beta1: t.beta1, beta2: t.beta2,
        epsilon: t.epsilon, batchSize: t.batchSize, maxEpochs: t.maxEpochs, patience: t.patience, clipNorm: t.clipNorm,
        validationFraction: t.validationFraction, initialization: t.initialization,
        scaling: DataScaling(given: t.scaling(of: given), target: t.scaling(of: target)))
    return try Metadata.encode(GraphMetadata(layout: layout, task: spec.task, sampleBatchSize: spec.sampling.batchSize,
                                             training: training))
}

/// A network's output distribution in the graph: its family, the nodes of its heads, then of
/// the family's own parameters, and the box its samples are mapped into where the output is
/// bounded.
private struct Distribution {
    let family: any DistributionFamily
    let heads: [Int]
    var support: BoundedSupport? = nil
}

private struct Lowering {
    let spec: ModelSpec
    var b: Builder
    let batch: Int
    var values: [String: Int] = [:]
    var distributions: [String: Distribution] = [:]

    init(spec: ModelSpec, builder: Builder, batch: Int) {
        self.spec = spec; self.b = builder; self.batch = batch
    }

    /// Σ weight · term for each example of the batch: [batch].
    mutating func exampleLoss() throws -> Int {
        values[spec.sampling.target] = try b.input(spec.sampling.target, [batch, spec.variable(spec.sampling.target)!.size])
        values[spec.sampling.given] = try b.input(spec.sampling.given, [batch, spec.variable(spec.sampling.given)!.size])
        for name in spec.trainingOrder {
            let net = spec.network(name)!
            distributions[name] = try evaluate(net)
            if spec.trainingSources[net.output] == name {
                values[net.output] = try sample(distributions[name]!, net.output)
            }
        }
        var total: Int?
        for term in spec.loss {
            let value: Int
            switch term {
            case let .kl(posterior, prior, _):
                let (q, p) = (distributions[posterior]!, distributions[prior]!)
                let latent = spec.network(posterior)!.output
                // The checker admits only KL terms with an estimate; the posterior is the
                // latent variable's training source, so values[latent] is its sample.
                guard let estimate = KLEstimate(posterior: q.family.capabilities, prior: p.family.capabilities) else {
                    throw ShapeError("KL(\(q.family.name) ‖ \(p.family.name)) has neither a closed form nor a Monte-Carlo estimate")
                }
                value = try estimate.lower(&b, posterior: q.family, heads: q.heads, prior: p.family, heads: p.heads,
                                           sample: values[latent]!, size: spec.variable(latent)!.size)
            case let .nll(network, _):
                let (output, d) = (spec.network(network)!.output, distributions[network]!)
                value = try negativeLogDensity(d, at: values[output]!, size: spec.variable(output)!.size)
            }
            let weighted = term.weight == 1 ? value : try b.mul(value, constant: Float(term.weight))
            total = try total.map { try b.add($0, weighted) } ?? weighted
        }
        return total!
    }

    /// Runs the sampling path from one observation; returns the sampled target, [batch, size].
    /// Whatever depends on the observation alone (all of a CP-VAE's prior network) is the same
    /// for every sample, so it is computed on that one row and broadcast to the batch where it
    /// meets the noise: a third of the arithmetic of sampling, for the paper's models.
    mutating func samplePath() throws -> Int {
        values[spec.sampling.given] = try b.input(spec.sampling.given, [1, spec.variable(spec.sampling.given)!.size])
        for name in spec.sampling.path {
            let net = spec.network(name)!
            let inputs = net.inputs.map { values[$0]! }
            if inputs.contains(where: { b.shape($0).dims[0] != 1 }) {
                for (variable, value) in zip(net.inputs, inputs) { values[variable] = try toBatch(value) }
            }
            values[net.output] = try sample(try evaluate(net), net.output)
        }
        return try toBatch(values[spec.sampling.target]!)
    }

    /// The density of what `samplePath` draws, p(θ | y) = ∫ Π_path p_i(v_i | inputs_i) dz over
    /// the latent variables z the path draws, as one importance weight per row, [batch]:
    ///   log w = Σ_path log p_i(v_i | inputs_i) − Σ_z log q_z(z | inputs),
    /// with each z drawn from q_z, the network that stands for z in training (the posterior
    /// of its KL term: the encoder q(z | y, θ)). E_q[w] = p(θ | y), so log mean_k w_k over K
    /// draws is the IWAE bound, a lower bound in expectation that tightens as K grows. A path
    /// without latent variables gives log p(θ | y) itself, and reads no noise.
    ///
    /// Only the sampling path enters: networks fitted beside it (a UP-VAE's data decoder
    /// p(y | z)) shape the training but not what `sample` draws, which takes z from its path's
    /// prior whatever y is. So the weight of a UP-VAE is p(θ | y, z) p(z) / q(z | y, θ).
    ///
    /// Nil when the structure gives no such proposal: a latent variable that two networks of
    /// the path output, or a proposal that reads a variable neither the data nor the path's
    /// other proposals supply.
    mutating func logDensity() throws -> Int? {
        let (given, target) = (spec.sampling.given, spec.sampling.target)
        values[target] = try b.input(target, [batch, spec.variable(target)!.size])
        values[given] = try b.input(given, [batch, spec.variable(given)!.size])
        let path = spec.sampling.path.map { spec.network($0)! }
        let latents = path.map(\.output).filter { $0 != target }
        guard Set(latents).count == latents.count else { return nil }
        // Each proposal after those whose samples it reads: training evaluates them in that order.
        let rank = Dictionary(uniqueKeysWithValues: spec.trainingOrder.enumerated().map { ($1, $0) })
        let proposals = latents.map { variable in
            (variable: variable, network: spec.trainingSources[variable].flatMap(spec.network) ?? path.first { $0.output == variable }!)
        }.sorted { rank[$0.network.name, default: Int.max] < rank[$1.network.name, default: Int.max] }
        var logWeight: Int?
        func accumulate(_ b: inout Builder, _ term: Int, adding: Bool) throws {
            logWeight = try logWeight.map { adding ? try b.add($0, term) : try b.sub($0, term) }
                ?? (adding ? term : try b.mul(term, constant: -1))
        }
        for (variable, network) in proposals {
            guard network.inputs.allSatisfy({ values[$0] != nil }) else { return nil }
            let q = try evaluate(network)
            values[variable] = try sample(q, variable)
            let size = spec.variable(variable)!.size
            let nllQ = try negativeLogDensity(q, at: values[variable]!, size: size)
            try accumulate(&b, nllQ, adding: true)
        }
        for network in path {
            let p = try evaluate(network)
            let size = spec.variable(network.output)!.size
            // A bounded target's density is the change of variables through its box.
            let nllP = try negativeLogDensity(p, at: values[network.output]!, size: size)
            try accumulate(&b, nllP, adding: false)
        }
        return logWeight
    }

    /// A [1, n] value repeated to [batch, n]; a batch's value as it is. Summing the one row
    /// drops the axis that the broadcast then adds back at full length.
    mutating func toBatch(_ x: Int) throws -> Int { try Passes.toBatch(&b, x, batch: batch) }

    /// The network's distribution given the current values of its inputs: its layers, then
    /// one dense head per head of its family, log-variances clamped to the model's range,
    /// then the family's own parameters.
    mutating func evaluate(_ net: Network) throws -> Distribution {
        let (family, support) = (net.distribution.family, net.bounds.map(BoundedSupport.init))
        guard family.capabilities.contains(.learned) else { return Distribution(family: family, heads: [], support: support) }
        let inputs = net.inputs.map { values[$0]! }
        var h = inputs.count == 1 ? inputs[0] : try b.add(.concat, inputs)
        for layer in net.hidden.indices {
            h = try b.unary(activation(net.activation), dense(h, "\(net.name).layer\(layer)"))
        }
        let range = spec.logVarianceRange
        let size = spec.variable(net.output)!.size
        let heads = try family.heads(size: size).map { head -> Int in
            let value = try dense(h, "\(net.name).\(head.name)")
            switch head.kind {
            case .free: return value
            case .logVariance: return try b.unary(.clamp(low: Float(range.lowerBound), high: Float(range.upperBound)), value)
            }
        }
        let owned = try family.ownParameters(size: size).map { try b.parameter("\(net.name).\($0.name)") }
        return Distribution(family: family, heads: heads + owned, support: support)
    }

    /// −log p(x) for each row of `x` under `d`, through its box where it is bounded.
    mutating func negativeLogDensity(_ d: Distribution, at x: Int, size: Int) throws -> Int {
        try d.support.map { try $0.negativeLogDensity(&b, of: d.family, at: x, heads: d.heads, size: size) }
            ?? d.family.negativeLogDensity(&b, of: x, heads: d.heads, size: size)
    }

    mutating func dense(_ x: Int, _ layer: String) throws -> Int {
        let product = try b.add(.matmul(transposeA: false, transposeB: false), [x, b.parameter(layer + ".weight")])
        return try b.add(.addBias, [product, b.parameter(layer + ".bias")])
    }

    /// A batch of samples of `variable` from `d`, drawn from the noise inputs its family
    /// declares (`noise.<variable>` for the normal draws). What was computed from the
    /// observation alone is broadcast to the batch where it meets the noise.
    mutating func sample(_ d: Distribution, _ variable: String) throws -> Int {
        let size = spec.variable(variable)!.size
        let batch = self.batch
        let noise = try d.family.noise(size: size).map { source in
            try b.input(source.distribution.input(for: variable), [batch, source.width])
        }
        let context = SamplingContext { b, x in try Passes.toBatch(&b, x, batch: batch) }
        return try d.support.map { try $0.sample(&b, of: d.family, heads: d.heads, noise: noise, size: size, context: context) }
            ?? d.family.sample(&b, heads: d.heads, noise: noise, size: size, context: context)
    }
}

/// A [1, n] value repeated to [batch, n]; a batch's value as it is. Summing the one row drops
/// the axis that the broadcast then adds back at full length.
private func toBatch(_ b: inout Builder, _ x: Int, batch: Int) throws -> Int {
    let shape = b.shape(x)
    guard shape.dims[0] == 1, batch != 1 else { return x }
    let row = try b.add(.sum(axis: 0), [x])
    return try b.add(.broadcast(axis: 0, to: [batch, shape.dims[1]]), [row])
}

private func activation(_ a: Activation) -> UnaryOp {
    switch a {
    case .leakyReLU(let slope): return .leakyReLU(slope: Float(slope))
    case .relu: return .leakyReLU(slope: 0)
    case .op(let op): return op
    }
}
