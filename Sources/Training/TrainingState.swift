import Datasets
import Foundation
import IR
import Random

/// Where a run stood at the end of an epoch: everything the next epoch depends on. Saved with
/// the model (`state-<hash>.safetensors`, which `model.json` names), it lets `sbic train
/// --resume` go on exactly as the run would have gone on had it not stopped.
///
/// The state is the last epoch's, not the best one's: the best weights are the model's own
/// (its weights file), and an exact continuation needs the weights, moments and random
/// streams as they were when the run stopped.
public struct TrainingState {
    /// Epochs completed.
    public var epoch: Int
    /// Every parameter of the graph after that epoch: the weights as they are (not the best
    /// ones), AdamW's moments and its step count.
    public var parameters: [String: [Float]]
    public var bestEpoch: Int
    public var bestValidationLoss: Double
    /// The random streams of the shuffle and of the training noise, as the epoch left them.
    public var shuffle: RandomStream
    public var noise: RandomStream
    /// The order of the training rows after the epoch's shuffle (each epoch shuffles the last one's).
    public var order: [Int]

    public init(epoch: Int, parameters: [String: [Float]], bestEpoch: Int, bestValidationLoss: Double,
                shuffle: RandomStream, noise: RandomStream, order: [Int]) {
        self.epoch = epoch; self.parameters = parameters; self.bestEpoch = bestEpoch
        self.bestValidationLoss = bestValidationLoss; self.shuffle = shuffle; self.noise = noise; self.order = order
    }

    static let metadataKey = "sbic.training_state"

    /// The JSON beside the tensors. Random words are hexadecimal strings: a JSON number
    /// beyond 2⁵³ may not survive a reader that parses numbers as doubles.
    private struct Progress: Codable {
        var epoch: Int
        var bestEpoch: Int
        var bestValidationLoss: Double
        var shuffle: [String]
        var noise: [String]
        var order: [Int]

        enum CodingKeys: String, CodingKey {
            case epoch, shuffle, noise, order
            case bestEpoch = "best_epoch", bestValidationLoss = "best_validation_loss"
        }
    }

    /// The safetensors file: every parameter of `graph`, in its order, and the progress as metadata.
    func encoded(for graph: Graph) throws -> Data {
        let tensors = graph.parameters.map { ($0.name, SafeTensors.Tensor(shape: $0.shape.dims, values: parameters[$0.name]!)) }
        let progress = Progress(epoch: epoch, bestEpoch: bestEpoch, bestValidationLoss: bestValidationLoss,
                                shuffle: shuffle.state.map { String($0, radix: 16) }, noise: noise.state.map { String($0, radix: 16) },
                                order: order)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try SafeTensors.encode(tensors, metadata: ["sbic.format": "\(TrainedModel.formatVersion)",
                                                          Self.metadataKey: String(decoding: try encoder.encode(progress), as: UTF8.self)])
    }

    /// Reads the state that the `model.json` in `directory` names; nil when it names none (a
    /// model saved before sbic kept one). Everything a continued run relies on is checked
    /// against `graph`, so that a damaged file is refused with its field.
    public static func load(from directory: String, graph: Graph) throws -> TrainingState? {
        struct Names: Decodable { var state: String? }
        let record = directory + "/model.json"
        guard let names = try? JSONDecoder().decode(Names.self, from: readFile(record)) else {
            throw DataError(file: record, reason: "not an sbic model record")
        }
        guard let name = names.state else { return nil }
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw DataError(file: record, field: "state", reason: "\"\(name)\" is not a file name in the model directory")
        }
        let path = directory + "/" + name
        let (tensors, metadata) = try SafeTensors.decode(try readFile(path), file: path)
        func fail(_ field: String, _ reason: String) -> DataError { DataError(file: path, field: field, reason: reason) }
        var parameters: [String: [Float]] = [:]
        for p in graph.parameters {
            guard let t = tensors[p.name], t.shape == p.shape.dims else { throw fail(p.name, "expected a tensor of shape \(p.shape.dims)") }
            if let index = t.values.firstIndex(where: { !$0.isFinite }) { throw fail(p.name, "value \(index) is \(t.values[index])") }
            parameters[p.name] = t.values
        }
        guard let json = metadata[metadataKey] else { throw fail("__metadata__.\(metadataKey)", "missing") }
        let progress: Progress
        do { progress = try JSONDecoder().decode(Progress.self, from: Data(json.utf8)) } catch {
            throw fail("__metadata__.\(metadataKey)", "malformed: \(error)")
        }
        guard progress.epoch >= 0, progress.bestEpoch >= 0, progress.bestEpoch <= progress.epoch,
              progress.bestValidationLoss.isFinite else {
            throw fail("__metadata__.\(metadataKey)", "epoch \(progress.epoch), best epoch \(progress.bestEpoch) and best loss "
                       + "\(progress.bestValidationLoss) are not a run's (0 ≤ best epoch ≤ epoch, a finite loss)")
        }
        func stream(_ field: String, _ words: [String]) throws -> RandomStream {
            let values = words.compactMap { UInt64($0, radix: 16) }
            guard values.count == words.count, let stream = RandomStream(state: values) else {
                throw fail("__metadata__.\(metadataKey).\(field)", "not the state of a random stream (five hexadecimal words)")
            }
            return stream
        }
        return TrainingState(epoch: progress.epoch, parameters: parameters, bestEpoch: progress.bestEpoch,
                             bestValidationLoss: progress.bestValidationLoss, shuffle: try stream("shuffle", progress.shuffle),
                             noise: try stream("noise", progress.noise), order: progress.order)
    }
}
