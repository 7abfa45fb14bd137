import ArgumentParser
import Datasets
import Foundation
import IR
import Training

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Say what a model directory holds: its graph, data, training and whether it can be resumed.",
        discussion: """
            Reads MODEL/model.json and the graph it names, as `sbic sample` does, and prints a \
            summary: the parameters, where the training data came from (simulator and seed, or \
            files and their SHA-256), how training went and with which settings, and whether \
            `sbic train --resume` can continue it.
            """)

    @Argument(help: "A model directory.")
    var model: String

    func run() throws {
        try reportingErrors("info") {
            try requireModelDirectory(model)
            let trained = try TrainedModel.load(from: model)
            let interface = try inFile(model) { try GraphInterface(trained.graph) }
            let s = trained.summary
            print("\(model): \(trained.graph.name)" + (trained.task.map { " (task \($0))" } ?? ""))
            print("  θ: \(trained.thetaNames.joined(separator: ", ")); \(interface.given): \(interface.givenSize) values")
            print("  data: " + (trained.provenance?.description
                ?? "\(s.simulations) simulations, \(s.simulationsDropped) dropped (not recorded where from: saved by an older sbic)"))
            if let provenance = trained.provenance, provenance.source == .files {
                for content in [provenance.theta, provenance.y].compactMap({ $0 }) {
                    print("    \(content.path ?? content.name ?? "?")  sha256 \(content.sha256)")
                }
            }
            if let from = trained.initializedFrom { print("  started from: \(from)") }
            print(String(format: "  training: %d epochs (%@), best validation loss %.4f at epoch %d; seed %llu, %@ back end, %.1f s",
                         s.epochs, s.stopped.rawValue, s.bestValidationLoss, s.bestEpoch, s.seed, s.backend, s.wallSeconds))
            let settings: TrainingSettings
            do { settings = try TrainingSettings(trained.graph) } catch let error as MetadataError {
                throw DataError(file: model, reason: error.description)
            }
            print("  settings: learning rate \(settings.learningRate), patience \(settings.patience), max epochs \(settings.maxEpochs), "
                  + "batch \(try inFile(model) { try interface.trainingBatch(of: trained.graph) })")
            print("  scaling: θ \(trained.thetaScaler.kind.rawValue), \(interface.given) \(trained.yScaler.kind.rawValue)")
            let state = try TrainingState.load(from: model, graph: trained.graph)
            print("  resumable: " + (state.map { "yes, from the end of epoch \($0.epoch) (sbic train GRAPH --resume \(model))" }
                                     ?? "no (no training state: saved by an older sbic)"))
        }
    }
}
