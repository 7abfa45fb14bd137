import XCTest
@testable import Spec

/// Networks and loss terms that do not fit the variables and networks they name.
final class ReferenceErrorTests: XCTestCase {
    let cpvae = Fixture.cpvae
    let upvae = Fixture.upvae

    func testUnknownInputVariable() {
        assertDiagnostic(cpvae.replacing(#"["y", "z"]"#, with: #"["y", "w"]"#),
                         path: "networks.decoder.inputs[1]", contains: #"unknown variable "w""#, at: "10:34")
    }

    func testDuplicateInput() {
        assertDiagnostic(cpvae.replacing(#"["y", "theta"]"#, with: #"["y", "theta", "y"]"#),
                         path: "networks.encoder.inputs[2]", contains: #"duplicate input "y" (also inputs[0])"#,
                         at: "8:43")
    }

    func testUnknownOutputVariable() {
        // The decoder then no longer ends the sampling path at the target, a second truth.
        assertIncludesDiagnostic(cpvae.replacing(#"{ "theta": "gaussian" }"#, with: #"{ "phi": "gaussian" }"#),
                                 path: "networks.decoder.output.phi", contains: #"unknown variable "phi""#)
    }

    func testOutputAmongOwnInputs() {
        assertDiagnostic(cpvae.replacing(#""inputs": ["y"],"#, with: #""inputs": ["y", "z"],"#),
                         path: "networks.prior.output.z", contains: #"network "prior" outputs its own input "z""#)
    }

    func testStandardNormalTakesNoInputsLayersOrActivation() {
        assertDiagnostic(upvae.replacing(#""inputs": [],"#, with: #""inputs": ["y"],"#),
                         path: "networks.prior.inputs", contains: "a standard_normal network takes no inputs")
        assertDiagnostic(upvae.replacing(#""inputs": [],"#, with: #""inputs": [], "hidden": [8],"#),
                         path: "networks.prior.hidden", contains: "a standard_normal network has no hidden layers")
        assertDiagnostic(upvae.replacing(#""inputs": [],"#, with: #""inputs": [], "activation": "relu","#),
                         path: "networks.prior.activation", contains: "a standard_normal network has no layers to activate")
        // Inputs may be left out altogether.
        XCTAssertNoThrow(try ModelSpec.parse(upvae.replacing(#""inputs": [],"#, with: "")))
    }

    func testGaussianNeedsInputs() {
        assertDiagnostic(cpvae.replacing(#""inputs": ["y"],"#, with: #""inputs": [],"#),
                         path: "networks.prior.inputs", contains: "a gaussian network needs at least one input",
                         at: "9:28")
    }

    func testLossTermNamingMissingNetwork() {
        assertDiagnostic(cpvae.replacing(#"["encoder", "prior"]"#, with: #"["encoder", "priors"]"#),
                         path: "loss[0].kl[1]", contains: #"unknown network "priors""#, at: "15:26")
        assertDiagnostic(cpvae.replacing(#""nll": "decoder""#, with: #""nll": "decodr""#),
                         path: "loss[1].nll", contains: #"unknown network "decodr""#)
    }

    func testKLBetweenDifferentVariables() {
        assertDiagnostic(upvae.replacing(#"["encoder", "prior"]"#, with: #"["encoder", "data_decoder"]"#),
                         path: "loss[0].kl",
                         contains: #""encoder" models "z" but "data_decoder" models "y"; a KL term compares"#)
    }

    func testKLOfANetworkWithItself() {
        // The prior is then trained by nothing, which is reported too.
        assertIncludesDiagnostic(cpvae.replacing(#"["encoder", "prior"]"#, with: #"["encoder", "encoder"]"#),
                                 path: "loss[0].kl",
                                 contains: #"the posterior and the prior are the same network "encoder""#)
    }

    func testKLPosteriorMustBeGaussian() {
        assertDiagnostic(upvae.replacing(#"["encoder", "prior"]"#, with: #"["prior", "encoder"]"#),
                         path: "loss[0].kl[0]", contains: #"the posterior "prior" must be gaussian, spline_flow or affine_flow, not standard_normal"#)
    }

    func testKLOverADataVariable() {
        let spec = cpvae
            .replacing(#""networks": {"#, with: #""networks": { "theta_prior": { "inputs": ["y"], "output": { "theta": "gaussian" } },"#)
            .replacing(#"{ "nll": "decoder","#, with: #"{ "kl": ["decoder", "theta_prior"] }, { "nll": "decoder","#)
        assertDiagnostic(spec, path: "loss[1].kl", contains: #"KL terms relate latent variables, but "theta" is a data variable"#)
    }

    func testNLLOfALatentVariable() {
        assertDiagnostic(cpvae.replacing(#"{ "nll": "decoder","#, with: #"{ "nll": "prior" }, { "nll": "decoder","#),
                         path: "loss[1].nll",
                         contains: #"network "prior" outputs latent variable "z"; nll fits a data variable"#)
    }

    func testNLLOfAStandardNormal() {
        assertDiagnostic(upvae.replacing(#"{ "nll": "decoder","#, with: #"{ "nll": "prior" }, { "nll": "decoder","#),
                         path: "loss[1].nll", contains: #"network "prior" is standard_normal and has no parameters to fit"#)
    }
}
