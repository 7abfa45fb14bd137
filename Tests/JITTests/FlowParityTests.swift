import Foundation
import IR
import Passes
import Spec
import TestSupport
import XCTest

/// Flows where specs/beyond has none, on both back ends (SpecParityTests' comparison): a
/// spline flow over a latent variable of size 1, which has no coordinate to keep and draws
/// z in training through its inverse layers, and an affine flow decoding θ from it.
final class FlowParityTests: XCTestCase {
    static let spec = """
        {
          "name": "flow_prior_affine_decoder",
          "variables": { "theta": 3, "y": 4, "z": 1 },
          "networks": {
            "prior":   { "inputs": ["y"], "hidden": [16], "output": { "z": { "family": "spline_flow", "transforms": 3, "bins": 5, "hidden": 8 } } },
            "decoder": { "inputs": ["y", "z"], "hidden": [16], "output": { "theta": { "family": "affine_flow", "transforms": 3, "hidden": 8 } } }
          },
          "loss": [ { "nll": "decoder" } ],
          "sample": { "given": "y", "path": ["prior", "decoder"], "target": "theta", "batch_size": 50 },
          "training": { "batch_size": 8 }
        }
        """

    func testLatentFlowAndAffineDecoderAgreeOnBothBackEnds() throws {
        let directory = try temporaryDirectory()
        let url = URL(fileURLWithPath: directory).appendingPathComponent("flow_prior_affine_decoder.json")
        try Self.spec.write(to: url, atomically: true, encoding: .utf8)
        let (graph, _) = try Compiler().compile(try ModelSpec.load(path: url.path))
        // z is drawn in training by the prior's flow: its noise is an input of train_step.
        XCTAssertTrue(graph.program("train_step")!.inputs.map(\.name).contains("noise.z"))
        XCTAssertNil(graph.parameter("prior.flow.0.kept.weight"), "a size-1 variable keeps nothing")
        XCTAssertNotNil(graph.parameter("decoder.flow.2.kept.weight"))
        try SpecParityTests.checkSpec(url)
    }
}
