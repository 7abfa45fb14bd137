import XCTest
@testable import Spec

/// The sample section: its variables and the path that draws from the model.
final class SamplingErrorTests: XCTestCase {
    let cpvae = Fixture.cpvae

    func testGivenEqualsTarget() {
        assertDiagnostic(cpvae.replacing(#""target": "theta""#, with: #""target": "y""#),
                         path: "sample.target", contains: #"the target must differ from sample.given (both are "y")"#,
                         at: "18:69")
    }

    func testUnknownDataVariables() {
        assertDiagnostic(cpvae.replacing(#""given": "y""#, with: #""given": "obs""#),
                         path: "sample.given", contains: #"unknown variable "obs""#, at: "18:24")
        assertDiagnostic(cpvae.replacing(#""target": "theta""#, with: #""target": "phi""#),
                         path: "sample.target", contains: #"unknown variable "phi""#)
    }

    func testEmptyPath() {
        assertDiagnostic(cpvae.replacing(#"["prior", "decoder"]"#, with: "[]"),
                         path: "sample.path", contains: "the sampling path needs at least one network")
    }

    func testUnknownNetworkInPath() {
        assertDiagnostic(cpvae.replacing(#"["prior", "decoder"]"#, with: #"["prior", "decodr"]"#),
                         path: "sample.path[1]", contains: #"unknown network "decodr""#, at: "18:47")
    }

    func testNetworkNeedingAVariableNothingEarlierProduces() {
        let diagnostic = assertDiagnostic(
            Fixture.stacked.replacing(#"["prior1", "prior2", "decoder"]"#, with: #"["prior1", "decoder"]"#),
            path: "sample.path[1]",
            contains: #"network "decoder" needs "z2", which neither sample.given nor an earlier network produces"#)
        XCTAssertEqual(diagnostic?.description,
                       #"16:48: sample.path[1]: network "decoder" needs "z2", "#
                       + "which neither sample.given nor an earlier network produces")
        assertDiagnostic(Fixture.upvae.replacing(#"["prior", "decoder"]"#, with: #"["decoder"]"#),
                         path: "sample.path[0]", contains: #"network "decoder" needs "z""#)
    }

    func testPathMustEndWithAGaussianOverTheTarget() {
        assertDiagnostic(cpvae.replacing(#"["prior", "decoder"]"#, with: #"["prior"]"#),
                         path: "sample.path[0]",
                         contains: #"the path must end with a gaussian, mixture, spline_flow or affine_flow network that outputs sample.target "theta", but "prior" outputs "z""#)
        let fixedTarget = Fixture.upvae
            .replacing(#""data_decoder": {"#, with: #""theta_prior": { "output": { "theta": "standard_normal" } }, "data_decoder": {"#)
            .replacing(#""path": ["prior", "decoder"]"#, with: #""path": ["theta_prior"]"#)
        assertIncludesDiagnostic(fixedTarget, path: "sample.path[0]", contains: #"but "theta_prior" is standard_normal"#)
    }

    func testPathMustNotProduceAVariableTwice() {
        assertDiagnostic(cpvae.replacing(#"["prior", "decoder"]"#, with: #"["prior", "prior", "decoder"]"#),
                         path: "sample.path[1]", contains: #"network "prior" outputs "z", which sample.path[0] already provides"#)
        assertDiagnostic(Fixture.upvae.replacing(#"["prior", "decoder"]"#, with: #"["prior", "data_decoder", "decoder"]"#),
                         path: "sample.path[1]", contains: #"outputs "y", which sample.given already provides"#)
    }

    func testPathNetworkThatNothingTrains() {
        let spec = cpvae
            .replacing(#""networks": {"#, with: #""networks": { "other_prior": { "inputs": ["y"], "output": { "z": "gaussian" } },"#)
            .replacing(#"["prior", "decoder"]"#, with: #"["other_prior", "decoder"]"#)
        assertDiagnostic(spec, path: "sample.path[0]", contains: #"network "other_prior" has parameters but no loss term trains it"#)
    }
}
