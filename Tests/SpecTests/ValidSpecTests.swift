import Foundation
import IR
import TestSupport
import XCTest
@testable import Spec

final class ValidSpecTests: XCTestCase {
    func testConditionalPriorModel() throws {
        let spec = try ModelSpec.parse(Fixture.cpvae)
        XCTAssertEqual(spec.name, "two_moons_cpvae")
        XCTAssertEqual(spec.task, "two_moons")
        XCTAssertEqual(spec.description, "Conditional-prior VAE for the two-moons task")
        XCTAssertEqual(spec.variables, [Variable(name: "theta", size: 2), Variable(name: "y", size: 2),
                                        Variable(name: "z", size: 2)])
        XCTAssertEqual(spec.networks, [
            Network(name: "encoder", inputs: ["y", "theta"], hidden: [128, 128, 128],
                    activation: .leakyReLU(slope: 0.1), output: "z", distribution: .gaussian),
            Network(name: "prior", inputs: ["y"], hidden: [128, 128],
                    activation: .leakyReLU(slope: 0.1), output: "z", distribution: .gaussian),
            Network(name: "decoder", inputs: ["y", "z"], hidden: [128, 128, 128],
                    activation: .op(.tanh), output: "theta", distribution: .gaussian),
        ])
        XCTAssertEqual(spec.logVarianceRange, -20...20)
        XCTAssertEqual(spec.loss, [.kl(posterior: "encoder", prior: "prior", weight: 1),
                                   .nll(network: "decoder", weight: 1)])
        XCTAssertEqual(spec.sampling, Sampling(given: "y", path: ["prior", "decoder"], target: "theta",
                                               batchSize: 1000))
        XCTAssertEqual(spec.training, Training())
        XCTAssertEqual(spec.trainingOrder, ["encoder", "prior", "decoder"])
        XCTAssertEqual(spec.trainingSources, ["z": "encoder"])
        XCTAssertEqual(spec.network("decoder")?.inputs, ["y", "z"])
        XCTAssertNil(spec.network("nothing"))
        XCTAssertEqual(spec.variable("y")?.size, 2)
        XCTAssertTrue(spec.isLatent("z"))
        XCTAssertFalse(spec.isLatent("y"))
        XCTAssertFalse(spec.isLatent("theta"))
        XCTAssertFalse(spec.isLatent("w"))
        XCTAssertEqual(spec.latentVariables.map(\.name), ["z"])
    }

    func testUnconditionalPriorModel() throws {
        let spec = try ModelSpec.parse(Fixture.upvae)
        XCTAssertEqual(spec.name, "two_moons_upvae")
        XCTAssertNil(spec.description)
        XCTAssertEqual(spec.network("prior"),
                       Network(name: "prior", inputs: [], hidden: [], activation: .leakyReLU(slope: 0.1),
                               output: "z", distribution: .standardNormal))
        XCTAssertEqual(spec.network("data_decoder")?.output, "y")
        XCTAssertEqual(spec.loss.map(\.weight), [0.4, 0.4, 0.2])
        XCTAssertEqual(spec.trainingOrder, ["encoder", "prior", "decoder", "data_decoder"])
        XCTAssertEqual(spec.trainingSources, ["z": "encoder"])
    }

    func testDefaults() throws {
        let spec = try ModelSpec.parse(Fixture.upvae)
        XCTAssertEqual(spec.logVarianceRange, ModelSpec.defaultLogVarianceRange)
        XCTAssertEqual(spec.logVarianceRange, -20...20)
        XCTAssertEqual(spec.sampling.batchSize, 1000)
        XCTAssertEqual(spec.network("encoder")?.activation, .leakyReLU(slope: 0.1))
        XCTAssertEqual(spec.training, Training(
            optimizer: "adamw", learningRate: 5e-4, weightDecay: 0.01, beta1: 0.9, beta2: 0.999,
            epsilon: 1e-8, batchSize: 32, maxEpochs: 1000, patience: 20, clipNorm: 3.0,
            validationFraction: 0.1, initialization: "kaiming_normal", scaling: .standard))

        let unweighted = try ModelSpec.parse(Fixture.stacked)
        XCTAssertEqual(unweighted.loss.map(\.weight), [1, 1, 1])
    }

    func testStackedLatents() throws {
        let spec = try ModelSpec.parse(Fixture.stacked)
        XCTAssertEqual(spec.latentVariables.map(\.name), ["z1", "z2"])
        XCTAssertEqual(spec.trainingSources, ["z1": "encoder1", "z2": "encoder2"])
        // Each network after the sources it reads; prior1 reads only data, and comes
        // first in the document among the networks ready at the start.
        XCTAssertEqual(spec.trainingOrder, ["prior1", "encoder1", "prior2", "encoder2", "decoder"])
    }

    func testLatentSourceWithoutKLTerm() throws {
        // No KL term: z is sampled from the one network that outputs it, which the
        // decoder's likelihood trains through the reparameterized sample.
        let spec = try ModelSpec.parse("""
            {
              "name": "no_kl",
              "variables": { "theta": 1, "y": 1, "z": 1 },
              "networks": {
                "decoder": { "inputs": ["y", "z"], "output": { "theta": "gaussian" } },
                "prior": { "inputs": ["y"], "output": { "z": "gaussian" } }
              },
              "loss": [{ "nll": "decoder" }],
              "sample": { "given": "y", "path": ["prior", "decoder"], "target": "theta" }
            }
            """)
        XCTAssertEqual(spec.trainingSources, ["z": "prior"])
        XCTAssertEqual(spec.trainingOrder, ["prior", "decoder"])
        XCTAssertEqual(spec.network("prior")?.hidden, [])
    }

    func testActivations() throws {
        let spec = try ModelSpec.parse(Fixture.cpvae
            .replacing(#""activation": { "leaky_relu": 0.1 }"#, with: #""activation": "relu""#)
            .replacing(#""activation": "tanh""#, with: #""activation": { "leaky_relu": 0.25 }"#))
        XCTAssertEqual(spec.network("encoder")?.activation, .relu)
        XCTAssertEqual(spec.network("decoder")?.activation, .leakyReLU(slope: 0.25))
        let sigmoid = try ModelSpec.parse(Fixture.cpvae.replacing(#""tanh""#, with: #""sigmoid""#))
        XCTAssertEqual(sigmoid.network("decoder")?.activation, .op(.sigmoid))
        // Every activation of the op table is a name in the spec language.
        let softplus = try ModelSpec.parse(Fixture.cpvae.replacing(#""tanh""#, with: #""softplus""#))
        XCTAssertEqual(softplus.network("decoder")?.activation, .op(.softplus))
    }

    func testTrainingOverrides() throws {
        let spec = try ModelSpec.parse(Fixture.cpvae
            .replacing(#""scaling": "standard""#, with: #""scaling": "robust""#)
            .replacing(#""batch_size": 32"#, with: #""batch_size": 1.28e2"#)
            .replacing(#""betas": [0.9, 0.999]"#, with: #""betas": [0, 0.99]"#))
        XCTAssertEqual(spec.training.scaling, .robust)
        XCTAssertEqual(spec.training.batchSize, 128)
        XCTAssertEqual(spec.training.beta1, 0)
        XCTAssertEqual(spec.training.beta2, 0.99)
        let unscaled = try ModelSpec.parse(Fixture.cpvae.replacing(#""standard""#, with: #""none""#))
        XCTAssertEqual(unscaled.training.scaling, Scaling.none)
        // One variable named: the other keeps the default.
        let logY = try ModelSpec.parse(Fixture.cpvae.replacing(#""scaling": "standard""#, with: #""scaling": { "y": "log_standard" }"#))
        XCTAssertEqual(logY.training.scaling(of: "y"), .logStandard)
        XCTAssertEqual(logY.training.scaling(of: "theta"), .standard)
    }

    func testLoadReadsFileAndLabelsDiagnostics() throws {
        let directory = URL(fileURLWithPath: try temporaryDirectory())
        defer { try? FileManager.default.removeItem(at: directory) }

        let good = directory.appendingPathComponent("good.json").path
        try Fixture.cpvae.write(toFile: good, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ModelSpec.load(path: good), try ModelSpec.parse(Fixture.cpvae))

        let bad = directory.appendingPathComponent("bad.json").path
        try Fixture.cpvae.replacing(#"["y", "z"]"#, with: #"["y", "w"]"#)
            .write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ModelSpec.load(path: bad)) { error in
            XCTAssertEqual("\(error)", "\(bad):10:34: networks.decoder.inputs[1]: unknown variable \"w\"")
        }

        let missing = directory.appendingPathComponent("missing.json").path
        XCTAssertThrowsError(try ModelSpec.load(path: missing)) { error in
            XCTAssertEqual("\(error)", "\(missing): no such file")
        }

        let binary = directory.appendingPathComponent("binary.json").path
        try Data([0x7B, 0xFF, 0x7D]).write(to: URL(fileURLWithPath: binary))
        XCTAssertThrowsError(try ModelSpec.load(path: binary)) { error in
            XCTAssertEqual((error as? SpecError)?.diagnostics.first?.message, "the file is not valid UTF-8")
        }

        // A device is refused with the reason; a link to a regular file is read.
        let device = directory.appendingPathComponent("zero.json").path, link = directory.appendingPathComponent("link.json").path
        try FileManager.default.createSymbolicLink(atPath: device, withDestinationPath: "/dev/zero")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: good)
        XCTAssertThrowsError(try ModelSpec.load(path: device)) { error in
            XCTAssertEqual("\(error)", "\(device): not a regular file (a pipe or a device)")
        }
        XCTAssertEqual(try ModelSpec.load(path: link), try ModelSpec.parse(Fixture.cpvae))
    }
}
