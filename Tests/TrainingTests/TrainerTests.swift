import Datasets
import Foundation
import Interpreter
import IR
import Passes
import Random
import Runtime
import Simulators
import Spec
import TestSupport
import Training
import XCTest

final class TrainerTests: XCTestCase {
    static let interpreter: BackendCompiler = InterpretedProgram.executables

    static func graph(_ name: String) throws -> Graph {
        try Compiler().compile(try ModelSpec.load(path: repository.appendingPathComponent("specs/\(name).json").path)).0
    }

    /// A few hundred AdamW steps on two-moons simulations drive the validation loss well down.
    func testTwoMoonsLossGoesDown() throws {
        let (theta, y) = simulateDataset(try Simulators.named("two_moons"), count: 2000, seed: 5)
        let data = try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .standard, minimumTrainingRows: 32, seed: 5)
        let trainer = try Trainer(graph: try Self.graph("two_moons_cpvae"), backend: Self.interpreter)
        var records: [EpochRecord] = []
        var snapshots: [[String: [Float]]] = []
        var options = TrainingOptions(maxEpochs: 8, patience: 100, learningRate: 5e-4, seed: 5)
        options.onEpoch = { records.append($0); snapshots.append(trainer.snapshot()) }
        let result = try trainer.train(data, options)
        XCTAssertEqual(records.count, 8)
        XCTAssertEqual(result.epochs, 8)
        // 56 steps an epoch: 448 steps in all.
        XCTAssertLessThan(records.last!.validationLoss, records.first!.validationLoss - 0.5, "\(records.map(\.validationLoss))")
        XCTAssertLessThan(records.last!.trainLoss, records.first!.trainLoss - 0.5, "\(records.map(\.trainLoss))")
        XCTAssertEqual(result.best.bestValidationLoss, records.map(\.validationLoss).min()!)
        // The weights kept are those at the end of the best epoch.
        XCTAssertEqual(result.weights, snapshots[result.best.bestEpoch - 1])
    }

    /// SIR's UP-VAE under the paper's protocol (its spec, 10,000 simulations, seed 1). SIR's
    /// first count is 0 in all but 11 of them; standard scaling put those 11 at 30 units, and
    /// they held every epoch's validation loss between 10⁶ and 10⁸ (best 427,055 on the JIT). With
    /// the scale floored at half the step between the column's values they lie 2 units out,
    /// and from the first epoch on the validation loss is a model's, a few nats.
    func testRareCountsDoNotDominateTheLoss() throws {
        let (theta, y) = simulateDataset(try Simulators.named("sir"), count: 10_000, seed: 1)
        let graph = try Self.graph("sir_upvae")
        let settings = try TrainingSettings(graph)
        let trainer = try Trainer(graph: graph, backend: Self.interpreter)
        let data = try TrainingData(theta: theta, y: y, validationFraction: settings.validationFraction, thetaScaling: settings.scaling.target,
                                    yScaling: settings.scaling.given, minimumTrainingRows: trainer.batch, seed: 1)
        let firstCounts = (0..<data.trainCount).map { data.trainY[$0 * 10] }
        XCTAssertEqual(Set(firstCounts).count, 2, "SIR's first count is 0 or 1 in these simulations")
        XCTAssertEqual(Double(firstCounts.max()! - firstCounts.min()!), 1 / data.yScaler.scale[0], accuracy: 1e-5)
        XCTAssertEqual(data.yScaler.scale[0], 0.5, "half the step from 0 to 1, above the standard deviation")
        XCTAssertLessThan(firstCounts.map(abs).max()!, 2.1)
        var records: [EpochRecord] = []
        var options = TrainingOptions(maxEpochs: 10, patience: 20, learningRate: settings.learningRate, seed: 1)
        options.onEpoch = { records.append($0) }
        _ = try trainer.train(data, options)
        XCTAssertEqual(records.count, 10)
        XCTAssertLessThan(records.map(\.validationLoss).max()!, 10, "\(records.map(\.validationLoss))")
        XCTAssertLessThan(records.last!.validationLoss, records.first!.validationLoss - 1, "\(records.map(\.validationLoss))")
    }

    func testSameSeedSameModel() throws {
        let (theta, y) = simulateDataset(try Simulators.named("two_moons"), count: 400, seed: 9)
        func run() throws -> [String: [Float]] {
            let data = try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .standard, minimumTrainingRows: 32, seed: 9)
            let trainer = try Trainer(graph: try Self.graph("two_moons_upvae"), backend: Self.interpreter)
            return try trainer.train(data, TrainingOptions(maxEpochs: 2, patience: 5, learningRate: 5e-4, seed: 9)).weights
        }
        XCTAssertEqual(try run(), try run())
    }

    func testInterruptKeepsTheBestWeights() throws {
        let (theta, y) = simulateDataset(try Simulators.named("two_moons"), count: 400, seed: 2)
        let data = try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .standard, minimumTrainingRows: 32, seed: 2)
        let trainer = try Trainer(graph: try Self.graph("two_moons_cpvae"), backend: Self.interpreter)
        var snapshots: [[String: [Float]]] = []
        var options = TrainingOptions(maxEpochs: 100, patience: 100, learningRate: 5e-4, seed: 2)
        options.onEpoch = { _ in snapshots.append(trainer.snapshot()) }
        // The flag rises five steps into the fourth epoch, so the weights have moved past the best.
        var stepsIntoTheFourth = 0
        options.shouldStop = {
            if snapshots.count >= 3 { stepsIntoTheFourth += 1 }
            return stepsIntoTheFourth > 5
        }
        let result = try trainer.train(data, options)
        XCTAssertEqual(result.stopped, .interrupted)
        XCTAssertEqual(result.epochs, 3, "the fourth epoch, cut short by the flag, does not count")
        XCTAssertLessThanOrEqual(result.best.bestEpoch, 3)
        XCTAssertEqual(result.weights, snapshots[result.best.bestEpoch - 1])
        XCTAssertEqual(trainer.snapshot(), result.weights)
    }

    func testNonFiniteLossStopsWithTheBestModel() throws {
        let (theta, y) = simulateDataset(try Simulators.named("two_moons"), count: 400, seed: 4)
        let data = try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .standard, minimumTrainingRows: 32, seed: 4)
        let trainer = try Trainer(graph: try Self.graph("two_moons_cpvae"), backend: Self.interpreter)
        // Weights that turn NaN after epoch 2, as an exploding run's would.
        var options = TrainingOptions(maxEpochs: 20, patience: 20, learningRate: 5e-4, seed: 4)
        options.onEpoch = { record in
            if record.epoch == 2 { trainer.parameters["decoder.mean.bias"] = [.nan, .nan] }
        }
        let result = try trainer.train(data, options)
        XCTAssertEqual(result.epochs, 2, "the third epoch, cut short by the NaN, does not count")
        XCTAssertEqual(result.stopped, .nonFiniteLoss)
        XCTAssertTrue(result.best.bestValidationLoss.isFinite)
        XCTAssertTrue(result.weights.values.joined().allSatisfy(\.isFinite))
    }
    /// A run stopped and resumed from its saved state is the run that did not stop: six epochs
    /// straight, and three epochs (the fourth cut short by an interrupt, as Ctrl-C would) then
    /// resumed to six, end with the same best weights, the same last weights and AdamW moments,
    /// the same best epoch and the same reason to stop, bit for bit.
    func testResumingIsNotStopping() throws {
        let (theta, y) = simulateDataset(try Simulators.named("two_moons"), count: 600, seed: 3)
        let data = try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .standard, minimumTrainingRows: 32, seed: 3)
        let graph = try Self.graph("two_moons_cpvae")
        // A patience of 2 with a high learning rate: early stopping may fall in the resumed half.
        func options() -> TrainingOptions { TrainingOptions(maxEpochs: 6, patience: 2, learningRate: 3e-3, seed: 3) }
        var straightRecords: [EpochRecord] = []
        var straightOptions = options()
        straightOptions.onEpoch = { straightRecords.append($0) }
        let straight = try Trainer(graph: graph, backend: Self.interpreter).train(data, straightOptions)

        var first = options()
        var epochs = 0, steps = 0
        first.onEpoch = { _ in epochs += 1 }
        first.shouldStop = {
            if epochs >= 3 { steps += 1 }
            return steps > 4
        }
        let stopped = try Trainer(graph: graph, backend: Self.interpreter).train(data, first)
        XCTAssertEqual(stopped.stopped, .interrupted)
        let state = try XCTUnwrap(stopped.state)
        XCTAssertEqual(state.epoch, 3, "the state is that of the last whole epoch")
        XCTAssertEqual(state.parameters["adamw.step"], [Float(3 * (540 / 32))], "three epochs of 16 steps")

        var second = options()
        var resumedRecords: [EpochRecord] = []
        second.onEpoch = { resumedRecords.append($0) }
        second.start = .resume(state, best: stopped.weights)
        let resumed = try Trainer(graph: graph, backend: Self.interpreter).train(data, second)
        XCTAssertEqual(resumed.weights, straight.weights)
        XCTAssertEqual(resumed.state?.parameters, straight.state?.parameters)
        XCTAssertEqual(resumed.state?.order, straight.state?.order)
        XCTAssertEqual(resumed.state?.noise.state, straight.state?.noise.state)
        XCTAssertEqual(resumed.epochs, straight.epochs)
        XCTAssertEqual(resumed.stopped, straight.stopped)
        XCTAssertEqual(resumed.best.bestEpoch, straight.best.bestEpoch)
        XCTAssertEqual(resumed.best.bestValidationLoss, straight.best.bestValidationLoss)
        XCTAssertEqual(resumedRecords.map(\.validationLoss), straightRecords.dropFirst(3).map(\.validationLoss))
        // The weights did move after epoch 3: the test compares trained weights, not a no-op.
        XCTAssertNotEqual(straight.state?.parameters["decoder.mean.bias"], state.parameters["decoder.mean.bias"])

        // A finished run resumed with the same settings runs no further epoch.
        var again = options()
        again.start = .resume(resumed.state!, best: resumed.weights)
        var more = 0
        again.onEpoch = { _ in more += 1 }
        let idle = try Trainer(graph: graph, backend: Self.interpreter).train(data, again)
        XCTAssertEqual(more, 0)
        XCTAssertEqual(idle.weights, straight.weights)
        XCTAssertEqual(idle.stopped, straight.stopped)
    }

    /// Training that starts from a model's weights on the model's own data and split starts
    /// where that model ended: the validation loss of the given weights is the model's best
    /// validation loss exactly, and one epoch on from there is better than a fresh first epoch.
    func testStartingFromWeights() throws {
        let (theta, y) = simulateDataset(try Simulators.named("two_moons"), count: 600, seed: 6)
        let data = try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .standard, minimumTrainingRows: 32, seed: 6)
        let graph = try Self.graph("two_moons_cpvae")
        var freshRecords: [EpochRecord] = []
        var fresh = TrainingOptions(maxEpochs: 8, patience: 20, learningRate: 1e-3, seed: 6)
        fresh.onEpoch = { freshRecords.append($0) }
        let source = try Trainer(graph: graph, backend: Self.interpreter).train(data, fresh)

        // Fine-tuning takes a smaller step: a fresh AdamW's first steps move every weight by
        // about the learning rate, and at 1e-3 that undid the source's training on some hosts
        // (an AMD EPYC: 3.01 after the epoch against a fresh first epoch's 2.97).
        var tuned = TrainingOptions(maxEpochs: 1, patience: 20, learningRate: 1e-4, seed: 6)
        tuned.start = .weights(source.weights)
        var tunedRecords: [EpochRecord] = []
        tuned.onEpoch = { tunedRecords.append($0) }
        let trainer = try Trainer(graph: graph, backend: Self.interpreter)
        let result = try trainer.train(data, tuned)
        XCTAssertEqual(result.startValidationLoss, source.best.bestValidationLoss)
        XCTAssertEqual(tunedRecords.count, 1)
        XCTAssertLessThan(tunedRecords[0].validationLoss, freshRecords[0].validationLoss - 0.3,
                          "\(tunedRecords[0].validationLoss) against a fresh first epoch's \(freshRecords[0].validationLoss); fresh \(freshRecords.map(\.validationLoss)), source best \(source.best.bestValidationLoss)")
        // The optimizer is fresh: one epoch of steps, whatever the source took.
        XCTAssertEqual(result.state?.parameters["adamw.step"], [Float(540 / 32)])
        // The best of the given weights and the epoch is kept.
        XCTAssertEqual(result.best.bestValidationLoss, min(source.best.bestValidationLoss, tunedRecords[0].validationLoss))
        XCTAssertEqual(result.weights == source.weights, result.best.bestEpoch == 0)
    }
    /// A checkpoint written while training runs resumes too: a run killed after it loses only
    /// the epochs since, and repeats them exactly.
    func testACheckpointIsResumable() throws {
        let (theta, y) = simulateDataset(try Simulators.named("two_moons"), count: 600, seed: 8)
        let data = try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .standard, minimumTrainingRows: 32, seed: 8)
        let graph = try Self.graph("two_moons_cpvae")
        var options = TrainingOptions(maxEpochs: 5, patience: 20, learningRate: 5e-4, seed: 8)
        options.checkpointInterval = 0
        var checkpoints: [(weights: [String: [Float]], state: TrainingState)] = []
        options.onCheckpoint = { weights, _, state in checkpoints.append((weights, state)) }
        let straight = try Trainer(graph: graph, backend: Self.interpreter).train(data, options)
        let checkpoint = try XCTUnwrap(checkpoints.first { $0.state.epoch == 2 }, "epoch 2 improved on epoch 1")
        var resumed = TrainingOptions(maxEpochs: 5, patience: 20, learningRate: 5e-4, seed: 8)
        resumed.start = .resume(checkpoint.state, best: checkpoint.weights)
        let result = try Trainer(graph: graph, backend: Self.interpreter).train(data, resumed)
        XCTAssertEqual(result.weights, straight.weights)
        XCTAssertEqual(result.state?.parameters, straight.state?.parameters)
        XCTAssertEqual(result.best.bestEpoch, straight.best.bestEpoch)
    }
}
