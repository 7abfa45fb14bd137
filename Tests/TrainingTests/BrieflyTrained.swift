import Foundation
import Passes
import Simulators
import Spec
import Training

/// A model trained on the interpreter from `count` simulations of `task`, as `sbic train` would
/// save it: what tests of sampling and densities need from a spec with real weights.
/// Returns the model and the epochs it trained.
func brieflyTrained(_ spec: ModelSpec, task: String, count: Int, seed: UInt64, maxEpochs: Int, patience: Int) throws -> (model: TrainedModel, epochs: Int) {
    let (graph, _) = try Compiler().compile(spec)
    let (theta, y) = simulateDataset(try Simulators.named(task), count: count, seed: seed)
    let data = try TrainingData(theta: theta, y: y, validationFraction: 0.1, thetaScaling: .standard, yScaling: .standard,
                                minimumTrainingRows: 32, seed: seed)
    let trainer = try Trainer(graph: graph, backend: TrainerTests.interpreter)
    let result = try trainer.train(data, TrainingOptions(maxEpochs: maxEpochs, patience: patience, learningRate: 1e-3, seed: seed))
    let summary = TrainingSummary(epochs: result.epochs, bestEpoch: result.best.bestEpoch,
                                  bestValidationLoss: result.best.bestValidationLoss, wallSeconds: 0, microsecondsPerStep: 0,
                                  simulations: count, simulationsDropped: 0, seed: seed, backend: "interpreter", stopped: result.stopped)
    let model = TrainedModel(graph: graph, weights: result.weights, thetaScaler: data.thetaScaler, yScaler: data.yScaler,
                             summary: summary, spec: nil)
    return (model, result.epochs)
}
