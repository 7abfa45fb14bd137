import Datasets
import Foundation
import Interpreter
import IR
import Passes
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
}
