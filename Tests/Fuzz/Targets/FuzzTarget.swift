import Datasets
import Foundation
import Interpreter
import IR
import Passes
import Runtime
import Spec
import Training

/// The readers of everything sbic takes from a file, each as a function of arbitrary bytes.
///
/// A target must return for every input: an error is fine, a trap, hang or stray memory
/// access (under AddressSanitizer) is a finding. Beyond surviving, a target checks what must
/// hold for every input its reader accepts, and traps when it does not: a spec that validates
/// compiles (`compile`, which also fuzzes the passes), a graph that parses prints back to the same text and runs, a matrix or tensor
/// that is read writes back to the same values.
enum FuzzTarget: String, CaseIterable {
    case spec, compile, graph, programs, npy, csv, safetensors, model, directory

    /// Programs that need more than this are checked but not run: libFuzzer stops a run
    /// that takes more than 2 GiB.
    static let runnableBytes = 16 << 20

    func run(_ data: Data) {
        switch self {
        case .spec: _ = try? ModelSpec.parse(String(decoding: data, as: UTF8.self))
        case .compile: Self.compile(data)
        case .graph: Self.graph(data)
        case .programs: Self.programs(data)
        case .npy: Self.npy(data)
        case .csv: Self.csv(data)
        case .safetensors: Self.safetensors(data)
        case .model: Self.model(data)
        case .directory: DirectoryTarget.run(data)
        }
    }

    private static func compile(_ data: Data) {
        guard let spec = try? ModelSpec.parse(String(decoding: data, as: UTF8.self)) else { return }
        // A validated spec compiles; the only refusal left is its size.
        do {
            let (graph, _) = try Compiler(options: .init(memoryLimit: runnableBytes)).compile(spec)
            check(graph)
        } catch let error as CompileError where error.message.contains("more than the limit") {
        } catch {
            fatalError("a valid spec does not compile: \(error)")
        }
    }

    private static func graph(_ data: Data) {
        guard let graph = try? Graph.parse(String(decoding: data, as: UTF8.self)) else { return }
        check(graph)
    }

    /// A graph prints to text that parses back to it, its interface checks return, and, when
    /// small enough, each program runs over zero inputs without straying from its buffers.
    private static func check(_ graph: Graph) {
        guard let again = try? Graph.parse(graph.text), again.text == graph.text else {
            fatalError("the text of a graph does not parse back to it:\n\(graph.text)")
        }
        if let interface = try? GraphInterface(graph) {
            _ = try? interface.trainingBatch(of: graph)
            _ = try? interface.samplingBatch(of: graph)
        }
        guard saturatingAdd(graph.parameterBytes, graph.arenaBytes()) <= runnableBytes else { return }
        let parameters = ParameterStore<Float>(graph)
        for program in graph.programs {
            (try? InterpretedProgram(program, parameters: parameters))?.run()
        }
    }

    /// A graph whose programs pass the trainer's checks trains for an epoch and is validated
    /// through the trainer, which feeds one set of inputs to train_step and loss: the checks
    /// must find every way the programs disagree with each other (a noise input one of them
    /// lacks crashed both back ends).
    private static func programs(_ data: Data) {
        guard let graph = try? Graph.parse(String(decoding: data, as: UTF8.self)),
              saturatingAdd(graph.parameterBytes, graph.arenaBytes()) <= runnableBytes,
              let interface = try? GraphInterface(graph),
              let trainer = try? Trainer(graph: graph, backend: InterpretedProgram.executables)
        else { return }
        let rows = trainer.batch + 2
        guard rows <= 4096,
              let theta = try? Matrix(rows: rows, columns: interface.targetSize, values: (0..<rows * interface.targetSize).map { Double($0 % 7) }),
              let y = try? Matrix(rows: rows, columns: interface.givenSize, values: (0..<rows * interface.givenSize).map { Double($0 % 5) }),
              let prepared = try? TrainingData(theta: theta, y: y, validationFraction: 0.5, thetaScaling: .standard, yScaling: .standard,
                                               minimumTrainingRows: trainer.batch, seed: 1)
        else { return }
        _ = try? trainer.train(prepared, TrainingOptions(maxEpochs: 1, patience: 1, learningRate: 1e-3, seed: 1))
    }

    private static func npy(_ data: Data) {
        guard let matrix = try? NPY.decode(data, file: "x.npy") else { return }
        let again = try? NPY.decode(NPY.encode(matrix), file: "again.npy")
        guard let again, sameValues(again, matrix) else { fatalError("a .npy file does not write back to its values") }
    }

    private static func csv(_ data: Data) {
        for header in [CSV.Header.auto, .absent] {
            guard let table = try? CSV.parse(data, file: "x.csv", header: header), table.matrix.rows > 0 else { continue }
            let again = try? CSV.parse(CSV.encode(table.matrix), file: "again.csv", header: .absent)
            guard let again, sameValues(again.matrix, table.matrix) else { fatalError("a .csv file does not write back to its values") }
        }
    }

    private static func safetensors(_ data: Data) {
        guard let (tensors, metadata) = try? SafeTensors.decode(data, file: "x.safetensors") else { return }
        let sorted = tensors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        guard let encoded = try? SafeTensors.encode(sorted, metadata: metadata),
              let again = try? SafeTensors.decode(encoded, file: "again.safetensors"),
              again.metadata == metadata, again.tensors.keys == tensors.keys,
              tensors.allSatisfy({ name, t in
                  again.tensors[name]!.shape == t.shape && again.tensors[name]!.values.map(\.bitPattern) == t.values.map(\.bitPattern)
              })
        else { fatalError("a safetensors file does not write back to its tensors") }
    }

    /// The input is a model directory: model.json, then the graph, the weights and the spec,
    /// separated by `separator`. Whatever names model.json gives them, each file is found by
    /// its extension, so that the names can be mutated too.
    private static func model(_ data: Data) {
        let files = parts(of: [UInt8](data), maxSplits: 3).map { Data($0) }
        func part(_ index: Int) -> Data? { index < files.count ? files[index] : nil }
        let read: (String) -> Data? = { name in
            if name == "model.json" { return part(0) }
            if name.hasSuffix(".sbig") { return part(1) }
            if name.hasSuffix(".safetensors") { return part(2) }
            if name.hasSuffix(".json") { return part(3) }
            return nil
        }
        guard let trained = try? TrainedModel.decode(directory: "model", read: read) else { return }
        guard saturatingAdd(trained.graph.parameterBytes, trained.graph.arenaBytes(of: ["sample"])) <= runnableBytes,
              let sampler = try? PosteriorSampler(trained, backend: InterpretedProgram.executables)
        else { return }
        let observation = Matrix(rows: 1, columns: sampler.observationDimension)
        _ = try? sampler.sample(observation, count: 3, seed: 1)
    }

    /// Between the files of a model input: a byte sequence no JSON, `.sbig` or safetensors
    /// header produces by itself.
    static let separator = Array("\n\u{0}--sbic-fuzz--\u{0}\n".utf8)

    /// `bytes` split at the first `maxSplits` separators, empty parts kept. A plain scan: the
    /// standard library's generic `split(separator:)` on a collection took three quarters of
    /// this target's time.
    private static func parts(of bytes: [UInt8], maxSplits: Int) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = 0, i = 0
        while parts.count < maxSplits, i + separator.count <= bytes.count {
            if bytes[i] == separator[0], bytes[i..<(i + separator.count)].elementsEqual(separator) {
                parts.append(bytes[start..<i])
                i += separator.count
                start = i
            } else {
                i += 1
            }
        }
        parts.append(bytes[start...])
        return parts
    }

    private static func sameValues(_ a: Matrix, _ b: Matrix) -> Bool {
        a.rows == b.rows && a.columns == b.columns
            && zip(a.values, b.values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }
}
