import Foundation
import XCTest
@testable import Spec

/// Training sources, cycles and declarations nothing uses.
final class DataFlowErrorTests: XCTestCase {
    let cpvae = Fixture.cpvae

    func testLatentWithoutTrainingSource() {
        assertDiagnostic(cpvae.replacing(#""z": 2 }"#, with: #""z": 2, "w": 3 }"#)
                              .replacing(#"["y", "theta"]"#, with: #"["y", "theta", "w"]"#),
                         path: "variables.w",
                         contains: #"latent variable "w" has no training source: no kl term covers it and no network outputs it"#,
                         at: "6:46")
    }

    func testLatentWithSeveralProducersAndNoKLTerm() {
        let spec = cpvae.replacing(#"{ "kl":  ["encoder", "prior"], "weight": 1.0 },"#, with: "")
        assertDiagnostic(spec, path: "variables.z",
                         contains: #"latent variable "z" has no training source: "encoder" and "prior" output it, "#
                                   + "and no kl term says which is its posterior")
    }

    func testLatentWithTwoPosteriors() {
        assertDiagnostic(Fixture.stacked.replacing(#"{ "nll": "decoder" }"#,
                                                   with: #"{ "nll": "decoder" }, { "kl": ["prior1", "encoder1"] }"#),
                         path: "loss[3].kl[0]",
                         contains: #"latent variable "z1" already has the posterior "encoder1" (loss[0]); it can have only one"#)
    }

    func testCycleIsNamed() {
        let spec = """
            {
              "name": "cyclic",
              "variables": { "theta": 2, "y": 2, "z": 2, "w": 2 },
              "networks": {
                "encoder": { "inputs": ["y", "theta", "w"], "output": { "z": "gaussian" } },
                "prior":   { "inputs": ["y"], "output": { "z": "gaussian" } },
                "decoder": { "inputs": ["z"], "output": { "w": "gaussian" } },
                "head":    { "inputs": ["y", "w"], "output": { "theta": "gaussian" } }
              },
              "loss": [{ "kl": ["encoder", "prior"] }, { "nll": "head" }],
              "sample": { "given": "y", "path": ["prior", "decoder", "head"], "target": "theta" }
            }
            """
        assertDiagnostic(spec, path: "networks.encoder.inputs[2]",
                         contains: "the training data flow has a cycle: encoder -> decoder -> encoder", at: "5:43")
    }

    func testLongerCycleStartsAtItsFirstNetworkInTheDocument() {
        let spec = """
            {
              "name": "cyclic",
              "variables": { "theta": 2, "y": 2, "a": 2, "b": 2, "c": 2 },
              "networks": {
                "head": { "inputs": ["y", "c"], "output": { "theta": "gaussian" } },
                "to_b": { "inputs": ["a"], "output": { "b": "gaussian" } },
                "to_c": { "inputs": ["b"], "output": { "c": "gaussian" } },
                "to_a": { "inputs": ["y", "c"], "output": { "a": "gaussian" } }
              },
              "loss": [{ "nll": "head" }],
              "sample": { "given": "y", "path": ["to_a", "to_b", "to_c", "head"], "target": "theta" }
            }
            """
        // The sampling path cannot break the cycle either, which is reported separately.
        let found = diagnostics(spec).map(\.description)
        XCTAssertTrue(found.contains(
            "6:26: networks.to_b.inputs[0]: the training data flow has a cycle: to_b -> to_c -> to_a -> to_b"),
            "\(found)")
    }

    func testUnusedVariable() {
        assertDiagnostic(cpvae.replacing(#""z": 2 }"#, with: #""z": 2, "w": 3 }"#),
                         path: "variables.w", contains: #"variable "w" is not used by any network"#, at: "6:46")
    }

    func testUnusedNetwork() {
        assertDiagnostic(cpvae.replacing(#""networks": {"#, with: #""networks": { "extra": { "inputs": ["y"], "output": { "z": "gaussian" } },"#),
                         path: "networks.extra", contains: #"network "extra" is used by neither the loss nor sample.path"#,
                         at: "7:17")
    }

    func testEveryProblemIsReportedInDocumentOrder() {
        let spec = cpvae
            .replacing(#""name": "two_moons_cpvae""#, with: #""name": "two moons""#)
            .replacing(#""hidden": [128, 128],"#, with: #""hidden": [128, 0],"#)
            .replacing(#"["y", "z"]"#, with: #"["y", "w"]"#)
            .replacing(#""patience": 20"#, with: #""patience": 20, "seed": 1"#)
        XCTAssertEqual(diagnostics(spec).map(\.path), [
            "name", "networks.prior.hidden[1]", "networks.decoder.inputs[1]", "training.seed",
        ])
    }
}

extension DataFlowErrorTests {
    func testEveryCycleIsReported() {
        // Two cycles, a <-> b and c <-> d, with "head" downstream of both. The walk from
        // "head" may enter either; each cycle is reported once, and "head" not at all.
        let spec = """
            {
              "name": "two_cycles",
              "variables": { "theta": 1, "y": 1, "a": 1, "b": 1, "c": 1, "d": 1 },
              "networks": {
                "head":  { "inputs": ["y", "a", "c"], "output": { "theta": "gaussian" } },
                "to_a":  { "inputs": ["b"], "output": { "a": "gaussian" } },
                "to_b":  { "inputs": ["a"], "output": { "b": "gaussian" } },
                "to_c":  { "inputs": ["d"], "output": { "c": "gaussian" } },
                "to_d":  { "inputs": ["c"], "output": { "d": "gaussian" } }
              },
              "loss": [{ "nll": "head" }],
              "sample": { "given": "y", "path": ["head"], "target": "theta" }
            }
            """
        let cycles = diagnostics(spec).filter { $0.message.contains("cycle") }.map(\.message)
        XCTAssertEqual(cycles, [
            "the training data flow has a cycle: to_a -> to_b -> to_a",
            "the training data flow has a cycle: to_c -> to_d -> to_c",
        ])
    }

    func testLongChainsAreCheckedInReasonableTime() throws {
        // z0 -> z1 -> ... -> z(n-1) -> theta, every network a training source and on the path.
        let count = 3_000
        let variables = (0..<count).map { "\"z\($0)\": 1" }.joined(separator: ", ")
        let chain = (0..<count).map { index in
            let inputs = index == 0 ? #"["y"]"# : "[\"y\", \"z\(index - 1)\"]"
            return "\"n\(index)\": { \"inputs\": \(inputs), \"output\": { \"z\(index)\": \"gaussian\" } }"
        }
        let spec = """
            {
              "name": "chain",
              "variables": { "theta": 1, "y": 1, \(variables) },
              "networks": { \(chain.reversed().joined(separator: ",\n")),
                "head": { "inputs": ["y", "z\(count - 1)"], "output": { "theta": "gaussian" } } },
              "loss": [{ "nll": "head" }],
              "sample": { "given": "y", "path": [\((0..<count).map { "\"n\($0)\"" }.joined(separator: ", ")), "head"],
                          "target": "theta" }
            }
            """
        let start = Date()
        let model = try ModelSpec.parse(spec)
        XCTAssertEqual(model.trainingOrder, (0..<count).map { "n\($0)" } + ["head"])
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }
}
