import Datasets
import Foundation
import IR
import Passes
import Spec
import Training

/// The `directory` target: whatever a model directory holds before a run, the run removes or
/// changes nothing that sbic did not write.
///
/// The input describes entries of `--out` (files, folders, links, pipes, files named as sbic
/// names its own, a genuine model saved first) and whether `--overwrite` is given. The target
/// claims the directory as `sbic train` does and, if that succeeds, saves two models into it
/// as a run's checkpoint and final save do. Then every entry of the directory, and a file
/// beside it, must be as it was, except what sbic owns: its content-named files (whose content
/// gives their name), an sbic `model.json` that `--overwrite` replaces, its `model.lock`, and the
/// temporary files of its dead writers.
enum DirectoryTarget {
    static func run(_ data: Data) {
        let bytes = [UInt8](data)
        guard let flags = bytes.first else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sbic-fuzz-directory-\(getpid())").path
        try? FileManager.default.removeItem(atPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let out = root + "/out"
        try! FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try! Data("beside".utf8).write(to: URL(fileURLWithPath: root + "/beside"))
        let overwrite = flags & 1 != 0
        if flags & 2 != 0 { try! model(1).save(to: out) }
        populate(out, from: bytes.dropFirst())

        let before = snapshot(root)
        var claimed = false
        do {
            let directory = try ModelDirectory(claiming: out, overwrite: overwrite)
            claimed = true
            try model(2).save(to: directory)
            try model(3).save(to: directory)
            guard try TrainedModel.load(from: out).weights == model(3).weights else { fatalError("the saved model does not load") }
        } catch let error as DataError {
            // Refused, or a save failed on what the directory holds: either way, said so.
            _ = error
        } catch {
            fatalError("an error without a file: \(error)")
        }
        let after = snapshot(root)
        for (path, old) in before where after[path] != old {
            guard owned(path, old, in: "out/", claimed: claimed) else {
                fatalError("\(path) was \(old), now \(after[path].map { "\($0)" } ?? "gone"); claimed: \(claimed)")
            }
        }
    }

    /// What sbic may remove or change: its own files, by the rules of `ModelDirectory`.
    private static func owned(_ path: String, _ entry: Entry, in out: String, claimed: Bool) -> Bool {
        guard path.hasPrefix(out), case .file(let content) = entry else { return false }
        let name = String(path.dropFirst(out.count))
        guard !name.contains("/") else { return false }
        switch name {
        case "model.json":
            struct Names: Decodable { var format: Int; var graph: String; var weights: String }
            return claimed && (try? JSONDecoder().decode(Names.self, from: content)) != nil
        case ModelDirectory.lockName:
            return content.isEmpty || content.starts(with: Data("sbic run, pid ".utf8))
        default:
            if let hash = contentHash(name) { return hash == fnv1a(content) }
            // `.NAME.PID.RANDOM.tmp` of a model file, by a process that is gone.
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            guard name.hasPrefix("."), parts.count >= 5, parts.last == "tmp", let pid = pid_t(parts[parts.count - 3]),
                  kill(pid, 0) != 0 else { return false }
            let file = parts[1..<(parts.count - 3)].joined(separator: ".")
            return file == "model.json" || contentHash(file) != nil
        }
    }

    private static func contentHash(_ name: String) -> UInt64? {
        for (kind, ext) in [("graph", "sbig"), ("weights", "safetensors"), ("spec", "json")]
        where name.hasPrefix(kind + "-") && name.hasSuffix("." + ext) {
            let hex = name.dropFirst(kind.count + 1).dropLast(ext.count + 1)
            guard let value = UInt64(hex, radix: 16), String(value, radix: 16) == hex else { return nil }
            return value
        }
        return nil
    }

    private static func fnv1a(_ data: Data) -> UInt64 {
        data.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    /// Entries from the input: a kind, a name, a content, each length a byte.
    private static func populate(_ out: String, from bytes: ArraySlice<UInt8>) {
        var input = bytes[...]
        func take(_ count: Int) -> [UInt8] {
            let taken = Array(input.prefix(count))
            input = input.dropFirst(taken.count)
            return taken
        }
        while let kind = take(1).first {
            let nameLength = Int(take(1).first ?? 0) % 32
            var name = String(decoding: take(nameLength).map { $0 == UInt8(ascii: "/") || $0 == 0 ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
            let content = Data(take(Int(take(1).first ?? 0)))
            switch kind % 6 {
            case 3:
                // A file named as sbic names its own, from its content.
                let (prefix, ext) = [("graph", "sbig"), ("weights", "safetensors"), ("spec", "json")][nameLength % 3]
                name = "\(prefix)-\(String(fnv1a(content), radix: 16)).\(ext)"
            case 5:
                // model.json, model.lock, train.jsonl or a temporary file of sbic's, with the content given.
                name = ["model.json", ModelDirectory.lockName, "train.jsonl", ".model.json.\(Int32.max).x.tmp",
                        ".weights-1.safetensors.1.x.tmp"][nameLength % 5]
            default: break
            }
            guard !name.isEmpty, name != ".", name != "..", !exists(out + "/" + name) else { continue }
            let path = out + "/" + name
            switch kind % 6 {
            case 0, 3, 5: _ = FileManager.default.createFile(atPath: path, contents: content)
            case 1:
                try? FileManager.default.createDirectory(atPath: path + "/inner", withIntermediateDirectories: true)
                _ = FileManager.default.createFile(atPath: path + "/inner/file", contents: content)
            case 2:
                // A link to a file beside the directory, to one in it, or to nowhere.
                let target = ["../beside", String(decoding: content, as: UTF8.self), "/nonexistent"][Int(content.first ?? 0) % 3]
                try? FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
            default: _ = mkfifo(path, 0o644)
            }
        }
    }

    private static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    enum Entry: Equatable, CustomStringConvertible {
        case file(Data), directory, link(String), other
        var description: String {
            switch self {
            case .file(let data): return "a file of \(data.count) bytes"
            case .directory: return "a directory"
            case .link(let target): return "a link to \(target)"
            case .other: return "a pipe"
            }
        }
    }

    /// Every entry under `root`, links not followed.
    private static func snapshot(_ root: String) -> [String: Entry] {
        var entries: [String: Entry] = [:]
        func visit(_ relative: String) {
            let path = relative.isEmpty ? root : root + "/" + relative
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                let child = relative.isEmpty ? name : relative + "/" + name
                var status = stat()
                guard lstat(root + "/" + child, &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFREG: entries[child] = .file(FileManager.default.contents(atPath: root + "/" + child) ?? Data())
                case S_IFDIR: entries[child] = .directory; visit(child)
                case S_IFLNK: entries[child] = .link((try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + child)) ?? "")
                default: entries[child] = .other
                }
            }
        }
        visit("")
        return entries
    }

    /// A small trained model whose weights depend on `seed`.
    private static func model(_ seed: Float) -> TrainedModel {
        var trained = base
        for name in trained.weights.keys { trained.weights[name] = trained.weights[name]!.map { $0 + seed } }
        return trained
    }

    private static let base: TrainedModel = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Seeds/micro.json").path
        let (graph, _) = try! Compiler().compile(try! ModelSpec.load(path: path))
        let interface = try! GraphInterface(graph)
        var weights: [String: [Float]] = [:]
        for p in graph.parameters where p.kind == .weight { weights[p.name] = (0..<p.shape.count).map { Float($0) * 1e-3 } }
        func scaler(_ n: Int) -> Scaler { Scaler(kind: .standard, shift: Array(repeating: 0, count: n), scale: Array(repeating: 1, count: n)) }
        let summary = TrainingSummary(epochs: 1, bestEpoch: 1, bestValidationLoss: 1, wallSeconds: 0, microsecondsPerStep: 0,
                                      simulations: 10, simulationsDropped: 0, seed: 1, backend: "interpreter", stopped: .maxEpochs)
        return TrainedModel(graph: graph, weights: weights, thetaScaler: scaler(interface.targetSize), yScaler: scaler(interface.givenSize),
                            summary: summary, spec: "{}")
    }()
}
