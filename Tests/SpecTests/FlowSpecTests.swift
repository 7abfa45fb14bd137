import IR
import XCTest
@testable import Spec

/// The coupling flows in the spec language: how they are written, where they may stand, and
/// the errors bad settings give, each at its JSON path.
final class FlowSpecTests: XCTestCase {
    static let spline = #"{ "family": "spline_flow", "transforms": 5, "bins": 8, "hidden": 64 }"#

    static let npe = """
        {
          "name": "two_moons_npe_flow",
          "variables": { "theta": 2, "y": 2 },
          "networks": {
            "posterior": { "inputs": ["y"], "hidden": [64, 64], "output": { "theta": \(spline) } }
          },
          "loss": [ { "nll": "posterior" } ],
          "sample": { "given": "y", "path": ["posterior"], "target": "theta" }
        }
        """

    func testSplineFlowPosteriorParses() throws {
        let spec = try ModelSpec.parse(Self.npe)
        let network = try XCTUnwrap(spec.network("posterior"))
        XCTAssertEqual(network.distribution, OutputDistribution(SplineFlow(options: ["transforms": 5, "bins": 8, "hidden": 64])))
        XCTAssertNotEqual(network.distribution, OutputDistribution(SplineFlow(options: ["transforms": 5, "bins": 9, "hidden": 64])))
        XCTAssertEqual(network.distribution.description, "spline_flow (bins 8, hidden 64, transforms 5)")
    }

    func testAffineFlowParses() throws {
        let spec = try ModelSpec.parse(Self.npe.replacing(Self.spline, with: #"{ "family": "affine_flow", "transforms": 4, "hidden": 32 }"#))
        XCTAssertEqual(spec.network("posterior")?.distribution.description, "affine_flow (hidden 32, transforms 4)")
    }

    /// A flow is reparameterized: as a prior p(z | y) it may draw z in training (fitted
    /// through the decoder's nll alone, with no KL term).
    func testFlowMayDrawALatentVariableInTraining() throws {
        let spec = try ModelSpec.parse("""
            {
              "name": "m",
              "variables": { "theta": 2, "y": 2, "z": 2 },
              "networks": {
                "prior":   { "inputs": ["y"], "output": { "z": \(Self.spline) } },
                "decoder": { "inputs": ["y", "z"], "output": { "theta": "gaussian" } }
              },
              "loss": [ { "nll": "decoder" } ],
              "sample": { "given": "y", "path": ["prior", "decoder"], "target": "theta" }
            }
            """)
        XCTAssertEqual(spec.trainingSources["z"], "prior")
    }

    /// No closed-form KL, but a flow's sample is reparameterized: as the posterior or the
    /// prior of a kl term, the term is the Monte-Carlo estimate.
    func testFlowIsAKLSideByMonteCarlo() throws {
        let encoder = try ModelSpec.parse(Fixture.cpvae.replacing(#""hidden": [128, 128, 128], "output": { "z": "gaussian" }"#,
                                                                  with: #""hidden": [128, 128, 128], "output": { "z": \#(Self.spline) }"#))
        let (q, p) = try (XCTUnwrap(encoder.network("encoder")), XCTUnwrap(encoder.network("prior")))
        XCTAssertEqual(q.distribution.name, "spline_flow")
        XCTAssertEqual(encoder.trainingSources["z"], "encoder")
        XCTAssertEqual(KLEstimate(posterior: q.distribution.capabilities, prior: p.distribution.capabilities), .monteCarlo)
        XCTAssertEqual(KLEstimate(posterior: p.distribution.capabilities, prior: q.distribution.capabilities), .monteCarlo)
    }

    func testBadFlowSettingsNameTheirPlace() {
        let path = "networks.posterior.output.theta"
        for (replacement, at, message) in [
            (#"{ "family": "spline_flow", "transforms": 5, "bins": 1, "hidden": 64 }"#, path + ".bins", "bins must be in 2...64, found 1"),
            (#"{ "family": "spline_flow", "transforms": 17, "bins": 8, "hidden": 64 }"#, path + ".transforms",
             "transforms must be in 1...16, found 17"),
            (#"{ "family": "spline_flow", "transforms": 5, "bins": 8, "hidden": 2000 }"#, path + ".hidden",
             "hidden must be in 1...1024, found 2000"),
            (#"{ "family": "spline_flow", "transforms": 5, "bins": 8 }"#, path, #"missing required key "hidden""#),
            (#"{ "family": "spline_flow", "transforms": 5, "bins": 8, "hidden": 64, "coupling": 1 }"#, path + ".coupling",
             #"unknown key "coupling""#),
            (#"{ "family": "affine_flow", "transforms": 5, "bins": 8, "hidden": 64 }"#, path + ".bins", #"unknown key "bins""#),
            (#"{ "family": "spline_flow", "transforms": 2.5, "bins": 8, "hidden": 64 }"#, path + ".transforms", "must be a positive integer"),
            (#""spline_flow""#, path, #"a spline_flow needs its settings: {"family": "spline_flow", "transforms": 2, "bins": 3, "hidden": 2}"#),
        ] {
            assertDiagnostic(Self.npe.replacing(Self.spline, with: replacement), path: at, contains: message)
        }
    }
}
