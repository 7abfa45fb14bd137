import IR
import XCTest
@testable import Spec

/// The mixture family in the spec language: how it is written, and where it may stand.
final class MixtureSpecTests: XCTestCase {
    let cpvae = Fixture.cpvae
    let mixture = #"{ "family": "mixture", "components": 5 }"#

    /// NPE-A as one network: q(θ | y) a mixture, fitted by nll, ending the sampling path.
    static let npe = """
        {
          "name": "two_moons_mdn",
          "variables": { "theta": 2, "y": 2 },
          "networks": {
            "posterior": { "inputs": ["y"], "hidden": [64, 64], "output": { "theta": { "family": "mixture", "components": 4 } } }
          },
          "loss": [ { "nll": "posterior" } ],
          "sample": { "given": "y", "path": ["posterior"], "target": "theta" }
        }
        """

    func testOneNetworkMixtureModelParses() throws {
        let spec = try ModelSpec.parse(Self.npe)
        let network = try XCTUnwrap(spec.network("posterior"))
        XCTAssertEqual(network.distribution, OutputDistribution(GaussianMixture(components: 4)))
        XCTAssertNotEqual(network.distribution, OutputDistribution(GaussianMixture(components: 5)))
        XCTAssertNotEqual(network.distribution, .gaussian)
        XCTAssertEqual(network.distribution.description, "mixture (components 4)")
        XCTAssertEqual(spec.trainingOrder, ["posterior"])
        XCTAssertTrue(spec.latentVariables.isEmpty)
    }

    func testMixtureMayEndTheSamplingPathOfAVAE() throws {
        let spec = try ModelSpec.parse(cpvae.replacing(#""output": { "theta": "gaussian" }"#, with: #""output": { "theta": \#(mixture) }"#))
        XCTAssertEqual(spec.network("decoder")?.distribution.name, "mixture")
    }

    func testMixtureIsNoKLPosterior() {
        assertDiagnostic(cpvae.replacing(#""hidden": [128, 128, 128], "output": { "z": "gaussian" }"#,
                                         with: #""hidden": [128, 128, 128], "output": { "z": \#(mixture) }"#),
                         path: "loss[0].kl[0]",
                         contains: #"the posterior "encoder" must be gaussian, spline_flow or affine_flow, not mixture: KL divergences of a mixture have no closed form, and its sample is not reparameterized, so no Monte-Carlo estimate has a gradient"#)
    }

    /// A mixture prior has no closed-form KL against the Gaussian encoder: the term is the
    /// Monte-Carlo estimate at the encoder's sample.
    func testMixtureIsAKLPriorByMonteCarlo() throws {
        let spec = try ModelSpec.parse(cpvae.replacing(#""inputs": ["y"],          "hidden": [128, 128],      "output": { "z": "gaussian" }"#,
                                                       with: #""inputs": ["y"],          "hidden": [128, 128],      "output": { "z": \#(mixture) }"#))
        let (q, p) = try (XCTUnwrap(spec.network("encoder")), XCTUnwrap(spec.network("prior")))
        XCTAssertEqual(p.distribution.name, "mixture")
        XCTAssertEqual(KLEstimate(posterior: q.distribution.capabilities, prior: p.distribution.capabilities), .monteCarlo)
        XCTAssertEqual(KLEstimate(posterior: q.distribution.capabilities, prior: OutputDistribution.gaussian.capabilities), .closedForm)
        XCTAssertEqual(KLEstimate(posterior: q.distribution.capabilities, prior: OutputDistribution.standardNormal.capabilities),
                       .closedForm)
        XCTAssertNil(KLEstimate(posterior: p.distribution.capabilities, prior: q.distribution.capabilities), "a mixture posterior")
    }

    /// A latent variable drawn from a mixture in training would need a gradient through the
    /// choice of component.
    func testMixtureCannotStandForALatentVariableInTraining() {
        let spec = """
            {
              "name": "m",
              "variables": { "theta": 2, "y": 2, "z": 2 },
              "networks": {
                "prior":   { "inputs": ["y"], "output": { "z": { "family": "mixture", "components": 2 } } },
                "decoder": { "inputs": ["y", "z"], "output": { "theta": "gaussian" } }
              },
              "loss": [ { "nll": "decoder" } ],
              "sample": { "given": "y", "path": ["prior", "decoder"], "target": "theta" }
            }
            """
        assertIncludesDiagnostic(spec, path: "networks.prior.output.z",
                                 contains: #"latent variable "z" is drawn from "prior" in training, but a mixture sample is not reparameterized"#)
    }

    func testMixtureNeedsItsComponents() {
        assertDiagnostic(Self.npe.replacing(#"{ "family": "mixture", "components": 4 }"#, with: #""mixture""#),
                         path: "networks.posterior.output.theta",
                         contains: #"a mixture needs its settings: {"family": "mixture", "components": 2}"#)
        assertDiagnostic(Self.npe.replacing(#"{ "family": "mixture", "components": 4 }"#, with: #"{ "family": "mixture" }"#),
                         path: "networks.posterior.output.theta", contains: #"missing required key "components""#)
    }

    func testBadMixtureSettingsNameTheirPlace() {
        let written = #"{ "family": "mixture", "components": 4 }"#
        for (replacement, path, message) in [
            (#"{ "family": "mixture", "components": 0 }"#, "networks.posterior.output.theta.components", "must be a positive integer"),
            (#"{ "family": "mixture", "components": 101 }"#, "networks.posterior.output.theta.components", "components must be in 1...100, found 101"),
            (#"{ "family": "mixture", "components": 2.5 }"#, "networks.posterior.output.theta.components", "must be a positive integer"),
            (#"{ "family": "mixture", "components": 3, "comps": 3 }"#, "networks.posterior.output.theta.comps", #"unknown key "comps""#),
            (#"{ "family": "mixtures", "components": 3 }"#, "networks.posterior.output.theta.family", #"unknown distribution "mixtures""#),
            (#"{ "family": "gaussian", "components": 3 }"#, "networks.posterior.output.theta.components", #"unknown key "components""#),
            (#"{ "components": 3 }"#, "networks.posterior.output.theta", #"missing required key "family""#),
            (#"[ "mixture", 3 ]"#, "networks.posterior.output.theta", #"expected a distribution's name, or an object with "family""#),
        ] {
            assertDiagnostic(Self.npe.replacing(written, with: replacement), path: path, contains: message)
        }
    }

    func testGaussianWrittenAsAnObjectIsTheGaussian() throws {
        let spec = try ModelSpec.parse(Self.npe.replacing(#"{ "family": "mixture", "components": 4 }"#, with: #"{ "family": "gaussian" }"#))
        XCTAssertEqual(spec.network("posterior")?.distribution, .gaussian)
    }

    /// The checker's messages name the families from their capabilities.
    func testCapabilitiesNameTheFamilies() {
        XCTAssertEqual(DistributionFamilies.names(with: .samplesTarget), "gaussian, mixture, spline_flow or affine_flow")
        XCTAssertEqual(DistributionFamilies.names(with: .klPosterior), "gaussian")
        XCTAssertEqual(DistributionFamilies.names(with: .klPrior), "gaussian or standard_normal")
        XCTAssertEqual(DistributionFamilies.names(with: .reparameterized), "gaussian, standard_normal, spline_flow or affine_flow")
    }
}
