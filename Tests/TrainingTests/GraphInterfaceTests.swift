import Foundation
import Interpreter
import IR
import Passes
import Spec
import TestSupport
import Training
import XCTest

/// A graph read from a file is checked before its buffers are bound: a size that disagreed
/// with the data would make the trainer write past the end of an input slot.
final class GraphInterfaceTests: XCTestCase {
    private func graph() throws -> Graph {
        try TrainerTests.graph("two_moons_cpvae")
    }

    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testCompiledGraphsFit() throws {
        let g = try graph()
        let interface = try GraphInterface(g)
        XCTAssertEqual([interface.given, interface.target], ["y", "theta"])
        XCTAssertEqual(try interface.trainingBatch(of: g), 32)
        XCTAssertEqual(try interface.samplingBatch(of: g), 1000)
    }

    func testMetadataMustDescribeThePrograms() throws {
        var g = try graph()
        g.metadata["given.size"] = nil
        XCTAssertEqual(message { _ = try GraphInterface(g) }, "meta given.size is missing")
        g.metadata["given.size"] = "-2"
        XCTAssertEqual(message { _ = try GraphInterface(g) }, "meta given.size is -2, not a positive integer")
        g = try graph()
        g.metadata["target.size"] = "3"
        XCTAssertEqual(message { _ = try GraphInterface(g).trainingBatch(of: g) },
                       "program train_step: expected an input theta of shape f32[32,3] (meta target.size)")
        g.metadata["target"] = "y"
        XCTAssertEqual(message { _ = try GraphInterface(g) }, "meta given and target both name y")
    }

    func testProgramsMustReadAndWriteWhatTheCallerExpects() throws {
        var g = try graph()
        g.programs.removeAll { $0.name == "loss" }
        XCTAssertEqual(message { _ = try Trainer(graph: g, backend: TrainerTests.interpreter) }, "the graph has no loss program")

        g = try graph()
        let train = g.programs.firstIndex { $0.name == "train_step" }!
        g.programs[train].nodes.append(Node(op: .input("extra"), operands: [], shape: [32, 2]))
        XCTAssertEqual(message { _ = try GraphInterface(g).trainingBatch(of: g) },
                       "program train_step: input extra of shape f32[32,2] is neither data, noise of batch 32, nor a setting")

        g = try graph()
        let sample = g.programs.firstIndex { $0.name == "sample" }!
        g.programs[sample].outputs[0].name = "phi"
        XCTAssertEqual(message { _ = try GraphInterface(g).samplingBatch(of: g) },
                       "program sample: expected an output theta of shape [batch, 2]")
    }

    /// The trainer draws one set of noise for train_step and loss, so each must read the
    /// other's; an extra noise input in one of them crashed both back ends.
    func testTrainStepAndLossReadTheSameNoise() throws {
        var g = try graph()
        let train = g.programs.firstIndex { $0.name == "train_step" }!
        g.programs[train].nodes.append(Node(op: .input("noise.extra"), operands: [], shape: [32, 1]))
        XCTAssertEqual(message { _ = try GraphInterface(g).trainingBatch(of: g) },
                       "program loss: expected an input noise.extra of shape f32[32,1], as train_step has")
        g = try graph()
        let loss = g.programs.firstIndex { $0.name == "loss" }!
        let widened = g.programs[loss].nodes.firstIndex { if case .input(let n) = $0.op { return n.hasPrefix("noise.") } else { return false } }!
        g.programs[loss].nodes[widened].shape.dims[1] += 1
        XCTAssertTrue(message { _ = try GraphInterface(g).trainingBatch(of: g) }.hasPrefix("program "), "a noise input of another width")
    }

    /// Training refuses a graph whose sample program is missing or hands back its input, so
    /// that it never replaces a model with one that cannot be sampled.
    func testTrainingNeedsAWorkingSampleProgram() throws {
        var g = try graph()
        g.programs.removeAll { $0.name == "sample" }
        XCTAssertEqual(message { _ = try Trainer(graph: g, backend: TrainerTests.interpreter) }, "the graph has no sample program")
        g = try graph()
        let sample = g.programs.firstIndex { $0.name == "sample" }!
        // The sample program's noise handed back as θ: the right shape, and nothing computed.
        let noise = g.programs[sample].nodes.firstIndex { if case .input(let n) = $0.op { return n.hasPrefix("noise.") } else { return false } }!
        g.programs[sample].outputs[0].node = noise
        XCTAssertEqual(message { _ = try Trainer(graph: g, backend: TrainerTests.interpreter) },
                       "program sample: output theta is %\(noise) (input), not a value the program computes")
    }

    /// Nothing is allocated for a graph the machine could not hold.
    func testAGraphBeyondMemoryIsRefusedBeforeAllocation() throws {
        var g = try graph()
        g.parameters.append(Parameter(name: "huge", kind: .state, shape: [1 << 40], initializer: .zeros))
        let refusal = message { _ = try Trainer(graph: g, backend: TrainerTests.interpreter) }
        XCTAssertTrue(refusal.hasPrefix("running train_step and loss needs 4.0 TiB, more than this machine's"), refusal)
        g.parameters.removeLast()
        g.parameters.append(Parameter(name: "absurd", kind: .state, shape: [1 << 40, 1 << 40], initializer: .zeros))
        XCTAssertTrue(message { _ = try GraphInterface(g).samplingBatch(of: g) }.contains("needs 8.0 EiB"))
    }

    func testTrainingSettingsAreRangeChecked() throws {
        var g = try graph()
        let settings = try TrainingSettings(g)
        XCTAssertEqual(settings.maxEpochs, 1000)
        XCTAssertEqual(settings.validationFraction, 0.1)
        for (key, value, expected) in [
            ("max_epochs", "1e300", "meta training.max_epochs is 1e300, not an integer from 1 to 2147483647"),
            ("patience", "0", "meta training.patience is 0, not an integer from 1 to 2147483647"),
            ("learning_rate", "nan", "meta training.learning_rate is nan, not a number > 0"),
            ("validation_fraction", "1", "meta training.validation_fraction is 1, not a number in (0, 1)"),
            ("scaling.given", "minmax", "meta training.scaling.given is minmax, not standard, robust, log_standard or none"),
        ] {
            g = try graph()
            g.metadata["training." + key] = value
            XCTAssertEqual(message { _ = try TrainingSettings(g) }, expected)
        }
        g.metadata["training.patience"] = nil
        XCTAssertEqual(message { _ = try TrainingSettings(g) }, "meta training.patience is missing")
    }

    /// The metadata of every graph in generated/ (the golden files, written by earlier builds)
    /// decodes as one value, and encoding it again gives the same lines, text for text.
    func testGeneratedMetadataRoundTrips() throws {
        let folder = repository.appendingPathComponent("generated")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sbig") }
        XCTAssertEqual(files.count, 22)
        for file in files {
            let graph = try Graph.parse(String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))
            let metadata = try Metadata.decode(GraphMetadata.self, from: graph.metadata)
            XCTAssertEqual(try Metadata.encode(metadata), graph.metadata, file)
            XCTAssertEqual(metadata.layout, try DataLayout(graph), file)
            XCTAssertEqual(metadata.training, try TrainingSettings(graph), file)
            XCTAssertEqual(metadata.task, graph.task, file)
            XCTAssertEqual(metadata.training.batchSize, graph.program(Interface.Programs.trainStep)!.inputs[0].shape.dims[0], file)
        }
    }

    /// Graphs compiled before each data variable had its own scaling recorded one for both
    /// (`training.scaling`); they still train, both variables scaled as it says, and with
    /// no scaling at all they are refused by key.
    func testGraphsOfEarlierVersionsStillTrain() throws {
        var g = try graph()
        g.metadata["training.scaling.given"] = nil
        g.metadata["training.scaling.target"] = nil
        g.metadata["training.scaling"] = "robust"
        XCTAssertEqual(try TrainingSettings(g).scaling, DataScaling(given: .robust, target: .robust))
        XCTAssertEqual(try GraphInterface(g).samplingBatch(of: g), 1000)
        g.metadata["training.scaling"] = nil
        XCTAssertEqual(message { _ = try TrainingSettings(g) }, "meta training.scaling.given is missing")
        // A graph without any training protocol still samples; training it is refused.
        for key in g.metadata.keys where key.hasPrefix("training.") { g.metadata[key] = nil }
        XCTAssertEqual(try GraphInterface(g).samplingBatch(of: g), 1000)
        XCTAssertEqual(message { _ = try TrainingSettings(g) }, "meta training.learning_rate is missing")
    }

    /// model.json records why training stopped in the words earlier versions wrote.
    func testStopReasonsAreRecordedAsBefore() throws {
        let words = ["early stopping", "max epochs", "interrupted", "non-finite loss", "running"]
        for word in words {
            let json = """
                {"epochs": 3, "best_epoch": 2, "best_validation_loss": 1.5, "wall_seconds": 1, "us_per_step": 10,
                 "simulations": 100, "simulations_dropped": 0, "seed": 1, "backend": "jit", "stopped": "\(word)"}
                """
            let summary = try JSONDecoder().decode(TrainingSummary.self, from: Data(json.utf8))
            XCTAssertEqual(summary.stopped.rawValue, word)
            let again = try JSONSerialization.jsonObject(with: JSONEncoder().encode(summary)) as! [String: Any]
            XCTAssertEqual(again["stopped"] as? String, word)
        }
        XCTAssertEqual(Set(words.compactMap(StopReason.init(rawValue:))).count, words.count)
    }
}
