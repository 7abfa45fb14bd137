import Foundation
import IR
import Random
import Runtime

/// One epoch, as logged and shown.
public struct EpochRecord: Codable, Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var validationLoss: Double
    public var bestEpoch: Int
    public var bestValidationLoss: Double
    public var elapsedSeconds: Double
    public var stepsPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case epoch, trainLoss = "train_loss", validationLoss = "validation_loss", bestEpoch = "best_epoch",
             bestValidationLoss = "best_validation_loss", elapsedSeconds = "elapsed_seconds", stepsPerSecond = "steps_per_second"
    }
}

public struct TrainingOptions {
    public var maxEpochs: Int
    public var patience: Int
    public var learningRate: Double
    public var seed: UInt64
    /// Called after every epoch.
    public var onEpoch: (EpochRecord) -> Void = { _ in }
    /// Called with the best weights so far when they improve (at most every `checkpointInterval` s),
    /// and the state to resume from.
    public var onCheckpoint: ([String: [Float]], EpochRecord, TrainingState) throws -> Void = { _, _, _ in }
    public var checkpointInterval: Double = 10
    /// Polled between steps: true stops training, keeping the best weights (Ctrl-C).
    public var shouldStop: () -> Bool = { false }
    /// Where training starts.
    public var start: TrainingStart = .fresh

    public init(maxEpochs: Int, patience: Int, learningRate: Double, seed: UInt64) {
        self.maxEpochs = maxEpochs; self.patience = patience; self.learningRate = learningRate; self.seed = seed
    }
}

/// Where a run starts.
public enum TrainingStart {
    /// Kaiming-normal weights drawn from the seed.
    case fresh
    /// Given weights, with a fresh optimizer (fine-tuning). They count as epoch 0: training
    /// keeps them unless an epoch does better on the validation split.
    case weights([String: [Float]])
    /// A saved state and the best weights so far: training goes on exactly as the run that
    /// saved them would have.
    case resume(TrainingState, best: [String: [Float]])
}

public struct TrainingResult {
    /// The weights of the best validation epoch.
    public var weights: [String: [Float]]
    /// Epochs completed: an epoch cut short by an interrupt or a non-finite loss does not count.
    public var epochs: Int
    public var best: EpochRecord
    public var stopped: StopReason
    public var microsecondsPerStep: Double
    /// The state after the last epoch completed, to resume from; nil when none was.
    public var state: TrainingState?
    /// The validation loss of the weights training started from, when they were given.
    public var startValidationLoss: Double?
}

/// The paper's training protocol over a compiled graph: Kaiming-normal initialization, shuffled
/// mini-batches (the last partial batch of an epoch is left out, as the graph's batch is fixed),
/// AdamW inside `train_step`, the validation loss after every epoch with the same noise each
/// epoch (so epochs compare fairly), early stopping after `patience` epochs without
/// improvement, and the best weights restored.
public final class Trainer {
    public let graph: Graph
    public let parameters: ParameterStore<Float>
    private let step: Executable
    private let validation: Executable
    /// Examples per step, compiled into the graph.
    public let batch: Int
    private let target: String, given: String
    /// The noise inputs, in program order, and the distribution each is drawn from.
    private let noiseInputs: [(name: String, distribution: NoiseDistribution)]
    /// The graph's data layout and programs, checked.
    public let interface: GraphInterface

    public init(graph: Graph, backend: BackendCompiler) throws {
        interface = try GraphInterface(graph)
        batch = try interface.trainingBatch(of: graph)
        // The model that training writes must sample: a graph whose sample program is missing
        // or broken is refused before anything is trained or written.
        _ = try interface.samplingBatch(of: graph)
        let programs = Interface.Programs.training.map { graph.program($0)! }
        self.graph = graph
        target = interface.target
        given = interface.given
        noiseInputs = programs[0].inputs.compactMap { input in NoiseDistribution(noiseInput: input.name).map { (input.name, $0) } }
        parameters = ParameterStore<Float>(graph)
        // Compiled together: the JIT generates the kernels the two share once.
        let executables = try backend(programs, parameters)
        (step, validation) = (executables[0], executables[1])
    }

    public var weightNames: [String] { graph.parameters.filter { $0.kind == .weight }.map(\.name) }

    public func train(_ data: TrainingData, _ options: TrainingOptions) throws -> TrainingResult {
        var shuffle = RandomStream(seed: options.seed, stream: "shuffle")
        var noise = RandomStream(seed: options.seed, stream: "noise")
        let (thetaIn, yIn) = (step.input(target), step.input(given))
        let noiseIn = noiseInputs.map { (step.input($0.name), $0.distribution) }
        step.input(Interface.Inputs.learningRate)[0] = Float(options.learningRate)

        let start = Date()
        var stepSeconds = 0.0, steps = 0
        var order = Array(0..<data.trainCount)
        var best: EpochRecord?
        var bestWeights: [String: [Float]] = [:]
        var lastCheckpoint = Date.distantPast
        var stopped = StopReason.maxEpochs
        // `epoch` counts the epochs begun, `completed` those whose record was written: an
        // interrupt or a non-finite loss mid-epoch leaves one begun that does not count.
        var epoch = 0, completed = 0
        var startValidationLoss: Double?
        switch options.start {
        case .fresh:
            var initRNG = RandomStream(seed: options.seed, stream: "init")
            parameters.initialize { initRNG.normal() }
        case .weights(let weights):
            parameters.initialize { 0 }
            restore(weights)
            let loss = validate(data, seed: options.seed)
            startValidationLoss = loss
            if loss.isFinite {
                best = EpochRecord(epoch: 0, trainLoss: .nan, validationLoss: loss, bestEpoch: 0, bestValidationLoss: loss,
                                   elapsedSeconds: 0, stepsPerSecond: 0)
                bestWeights = weights
            }
        case .resume(let state, let weights):
            guard state.order.count == data.trainCount, Set(state.order) == Set(0..<data.trainCount) else {
                throw TrainingError("the saved state orders \(state.order.count) training rows, not the \(data.trainCount) of these data")
            }
            for (name, values) in state.parameters { parameters[name] = values }
            (shuffle, noise, order) = (state.shuffle, state.noise, state.order)
            (epoch, completed) = (state.epoch, state.epoch)
            best = EpochRecord(epoch: state.bestEpoch, trainLoss: .nan, validationLoss: state.bestValidationLoss,
                               bestEpoch: state.bestEpoch, bestValidationLoss: state.bestValidationLoss,
                               elapsedSeconds: 0, stepsPerSecond: 0)
            bestWeights = weights
        }
        /// Everything the next epoch depends on, for a run that resumes from here.
        func currentState(bestEpoch: Int, bestValidationLoss: Double) -> TrainingState {
            TrainingState(epoch: epoch, parameters: Dictionary(uniqueKeysWithValues: graph.parameters.map { ($0.name, parameters[$0.name]) }),
                          bestEpoch: bestEpoch, bestValidationLoss: bestValidationLoss, shuffle: shuffle, noise: noise, order: order)
        }
        var lastState = best.map { currentState(bestEpoch: $0.bestEpoch, bestValidationLoss: $0.bestValidationLoss) }
        // Checked before each epoch, not only after it, so that a resumed run that has already
        // stopped does not run another epoch.
        func finished() -> Bool {
            if let best, epoch - best.bestEpoch >= options.patience { stopped = .earlyStopping; return true }
            return epoch >= options.maxEpochs
        }
        epochs: while !finished() {
            epoch += 1
            shuffle.shuffle(&order)
            var lossSum = 0.0
            let epochStart = Date()
            for s in 0..<data.trainCount / batch {
                if options.shouldStop() { stopped = .interrupted; break epochs }
                for (i, row) in order[s * batch..<(s + 1) * batch].enumerated() {
                    copyRow(data.trainTheta, row, data.thetaColumns, into: thetaIn, at: i)
                    copyRow(data.trainY, row, data.yColumns, into: yIn, at: i)
                }
                for (n, distribution) in noiseIn { noise.fill(n, distribution) }
                step.run()
                let loss = Double(step.output(Interface.Outputs.loss)[0])
                guard loss.isFinite else { stopped = .nonFiniteLoss; break epochs }
                lossSum += loss
                steps += 1
            }
            stepSeconds += Date().timeIntervalSince(epochStart)
            let validationLoss = validate(data, seed: options.seed)
            guard validationLoss.isFinite else { stopped = .nonFiniteLoss; break }
            let improved = best.map { validationLoss < $0.bestValidationLoss } ?? true
            let record = EpochRecord(epoch: epoch, trainLoss: lossSum / Double(max(data.trainCount / batch, 1)),
                                     validationLoss: validationLoss, bestEpoch: improved ? epoch : best!.bestEpoch,
                                     bestValidationLoss: improved ? validationLoss : best!.bestValidationLoss,
                                     elapsedSeconds: Date().timeIntervalSince(start),
                                     stepsPerSecond: Double(steps) / max(stepSeconds, 1e-9))
            lastState = currentState(bestEpoch: record.bestEpoch, bestValidationLoss: record.bestValidationLoss)
            if improved {
                bestWeights = snapshot()
                best = record
                if Date().timeIntervalSince(lastCheckpoint) >= options.checkpointInterval {
                    try options.onCheckpoint(bestWeights, record, lastState!)
                    lastCheckpoint = Date()
                }
            }
            options.onEpoch(record)
            completed = epoch
        }
        guard let best else {
            throw TrainingError(stopped == .interrupted ? "interrupted before the first epoch ended: no model to keep"
                                : "the loss was not finite in the first epoch: no model to keep (try a smaller learning rate)")
        }
        restore(bestWeights)
        return TrainingResult(weights: bestWeights, epochs: completed, best: best, stopped: stopped,
                              microsecondsPerStep: stepSeconds / Double(max(steps, 1)) * 1e6, state: lastState,
                              startValidationLoss: startValidationLoss)
    }

    /// Mean validation loss; the last partial batch is padded and its padding ignored.
    private func validate(_ data: TrainingData, seed: UInt64) -> Double {
        var noise = RandomStream(seed: seed, stream: "validation")
        let (thetaIn, yIn) = (validation.input(target), validation.input(given))
        let noiseIn = noiseInputs.map { (validation.input($0.name), $0.distribution) }
        var sum = 0.0
        var first = 0
        while first < data.validationCount {
            let count = min(batch, data.validationCount - first)
            for i in 0..<batch {
                let row = first + min(i, count - 1)
                copyRow(data.validationTheta, row, data.thetaColumns, into: thetaIn, at: i)
                copyRow(data.validationY, row, data.yColumns, into: yIn, at: i)
            }
            for (n, distribution) in noiseIn { noise.fill(n, distribution) }
            validation.run()
            let losses = validation.output(Interface.Outputs.exampleLoss)
            for i in 0..<count { sum += Double(losses[i]) }
            first += count
        }
        return sum / Double(data.validationCount)
    }

    public func snapshot() -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: weightNames.map { ($0, parameters[$0]) })
    }

    public func restore(_ weights: [String: [Float]]) {
        for (name, values) in weights { parameters[name] = values }
    }
}

@inline(__always)
private func copyRow(_ source: [Float], _ row: Int, _ columns: Int, into destination: UnsafeMutableBufferPointer<Float>, at slot: Int) {
    source.withUnsafeBufferPointer { s in
        (destination.baseAddress! + slot * columns).update(from: s.baseAddress! + row * columns, count: columns)
    }
}
