import Datasets
import Foundation
import Interpreter
import IR
import Passes
import Simulators
import Spec
import Training
import XCTest

final class TrainerTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let interpreter: BackendCompiler = { try InterpretedProgram($0, parameters: $1) }

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
        XCTAssertEqual(result.stopped, "interrupted")
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
        XCTAssertEqual(result.stopped, "non-finite loss")
        XCTAssertTrue(result.best.bestValidationLoss.isFinite)
        XCTAssertTrue(result.weights.values.joined().allSatisfy(\.isFinite))
    }
}
