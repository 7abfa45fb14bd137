import Datasets
import Foundation
import Spec
import TestSupport
import XCTest

/// The 22 specs of specs/ are the paper's models: hidden widths from its Tables 4 and 5,
/// latent sizes, batch sizes and learning rates from its Appendix B, as copied into
/// docs/reproduction/paper/ (architectures.csv, training.csv), and its common protocol.
final class PaperSpecTests: XCTestCase {

    /// The paper's tables, keyed as the specs name things.
    struct Paper {
        /// (task, model, network) → hidden widths.
        var hidden: [[String]: [Int]] = [:]
        /// task → (latent size or nil for θ's size, batch size, learning rate).
        var training: [String: (latent: Int?, batch: Int, learningRate: Double)] = [:]

        init(directory: URL) throws {
            let architectures = try CSV.readRecords(directory.appendingPathComponent("architectures.csv").path)
            XCTAssertEqual(architectures.header, ["task", "model", "network", "distribution", "hidden"])
            for row in architectures.rows {
                let f = row.fields
                hidden[[f[0], f[1], f[2]]] = try f[4].split(separator: ",").map { width in
                    guard let w = Int(width) else { throw DataError(file: "architectures.csv", row: row.line, reason: "width \(width)") }
                    return w
                }
            }
            let table = try CSV.readRecords(directory.appendingPathComponent("training.csv").path)
            XCTAssertEqual(table.header, ["task", "latent_dim", "batch_size", "learning_rate"])
            for row in table.rows {
                let f = row.fields
                guard f[1] == "theta_dim" || Int(f[1]) != nil, let batch = Int(f[2]), let rate = Double(f[3]) else {
                    throw DataError(file: "training.csv", row: row.line, reason: "\(f)")
                }
                training[f[0]] = (Int(f[1]), batch, rate)
            }
        }
    }

    static func paperSpecs() throws -> [ModelSpec] {
        try FileManager.default.contentsOfDirectory(at: repository.appendingPathComponent("specs"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" && $0.lastPathComponent != "schema.json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { try ModelSpec.load(path: $0.path) }
    }

    /// Every way in which `spec` is not the paper's model, one line each.
    static func differences(_ spec: ModelSpec, _ paper: Paper) -> [String] {
        var found: [String] = []
        guard let task = spec.task, let model = ["cpvae", "upvae"].first(where: { spec.name == "\(task)_\($0)" }) else {
            return ["\(spec.name): not named <task>_cpvae or <task>_upvae"]
        }
        let networks = model == "cpvae" ? ["encoder", "prior", "decoder"] : ["encoder", "decoder", "data_decoder"]
        for name in networks {
            guard let network = spec.network(name) else { found.append("\(spec.name): no \(name)"); continue }
            let want = paper.hidden[[task, model, name]]
            if network.hidden != want { found.append("\(spec.name).\(name): hidden \(network.hidden), the paper's \(want ?? [])") }
            if network.distribution != .gaussian { found.append("\(spec.name).\(name): not gaussian") }
        }
        if model == "upvae", spec.network("prior")?.distribution != .standardNormal {
            found.append("\(spec.name).prior: the UP-VAE's prior is N(0, I)")
        }
        guard let t = paper.training[task] else { return found + ["\(task): not in training.csv"] }
        let latent = t.latent ?? spec.variable(spec.sampling.target)?.size
        if spec.latentVariables.map(\.size) != [latent!] {
            found.append("\(spec.name): latent sizes \(spec.latentVariables.map(\.size)), the paper's \(latent!)")
        }
        if spec.training.batchSize != t.batch { found.append("\(spec.name): batch size \(spec.training.batchSize), the paper's \(t.batch)") }
        if spec.training.learningRate != t.learningRate {
            found.append("\(spec.name): learning rate \(spec.training.learningRate), the paper's \(t.learningRate)")
        }
        // Appendix B, common to all (the batch size and learning rate are checked above).
        let common = Training(optimizer: "adamw", learningRate: spec.training.learningRate, batchSize: spec.training.batchSize,
                              maxEpochs: 1000, patience: 20,
                              clipNorm: 3.0, validationFraction: 0.1, initialization: "kaiming_normal", scaling: .standard)
        if spec.training != common { found.append("\(spec.name): training \(spec.training), the paper's \(common)") }
        if !spec.networks.allSatisfy({ $0.activation == .leakyReLU(slope: 0.1) }) { found.append("\(spec.name): not LeakyReLU(0.1) throughout") }
        if model == "upvae" {
            let weights = spec.loss.map { term -> String in
                switch term {
                case .kl(_, _, let w): return "kl \(w)"
                case .nll(let n, let w): return "\(n) \(w)"
                }
            }
            if Set(weights) != ["kl 0.4", "decoder 0.4", "data_decoder 0.2"] { found.append("\(spec.name): loss weights \(weights)") }
        }
        return found
    }

    func testEverySpecIsThePapers() throws {
        let paper = try Paper(directory: repository.appendingPathComponent("docs/reproduction/paper"))
        let specs = try Self.paperSpecs()
        XCTAssertEqual(specs.count, 22)
        for spec in specs { XCTAssertEqual(Self.differences(spec, paper), [], spec.name) }
        // Every row of the tables belongs to a spec.
        let covered = Set(specs.flatMap { s in s.networks.filter { !$0.hidden.isEmpty }.map { [s.task!, String(s.name.suffix(5)), $0.name] } })
        XCTAssertEqual(covered, Set(paper.hidden.keys))
        XCTAssertEqual(Set(specs.map(\.task!)), Set(paper.training.keys))
    }

    /// The check sees a single width, latent size or batch size that differs.
    func testOneChangeIsFound() throws {
        let paper = try Paper(directory: repository.appendingPathComponent("docs/reproduction/paper"))
        let slcp = try XCTUnwrap(Self.paperSpecs().first { $0.name == "slcp_cpvae" })
        var changed = slcp
        changed.networks[2].hidden[1] = 199
        XCTAssertEqual(Self.differences(changed, paper), ["slcp_cpvae.decoder: hidden [200, 199], the paper's [200, 200]"])
        changed = slcp
        changed.training.batchSize = 32
        XCTAssertEqual(Self.differences(changed, paper), ["slcp_cpvae: batch size 32, the paper's 16"])
        let text = try String(contentsOf: repository.appendingPathComponent("specs/slcp_cpvae.json"), encoding: .utf8)
        changed = try ModelSpec.parse(text.replacingOccurrences(of: "\"z\": 4", with: "\"z\": 5"))
        XCTAssertEqual(Self.differences(changed, paper), ["slcp_cpvae: latent sizes [5], the paper's 4"])
    }
}
