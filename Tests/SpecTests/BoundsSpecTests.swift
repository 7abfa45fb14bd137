import IR
import XCTest
@testable import Spec

/// Bounded outputs in the spec language: how bounds are written, where they come from, and
/// what the checker refuses, each refusal at its JSON path.
final class BoundsSpecTests: XCTestCase {
    /// two_moons's prior is the box [-1, 1]²; gaussian_linear's is a Gaussian.
    static let tasks = [BuiltInTask(name: "two_moons", parameters: 2, observations: 2, priorBox: Box(-1...1, size: 2)),
                        BuiltInTask(name: "gaussian_linear", parameters: 2, observations: 2)]
    static let gaussian = #""output": { "theta": "gaussian" }, "activation": "tanh""#
    static let unscaled = #""scaling": "standard" }"#

    /// The CP-VAE fixture with the decoder's output written as `output` and θ unscaled.
    func spec(_ output: String, scaling: String = #""scaling": { "theta": "none" } }"#) -> String {
        Fixture.cpvae.replacing(Self.gaussian, with: #""output": { "theta": \#(output) }"#)
            .replacing(Self.unscaled, with: scaling)
    }

    func testPriorBoundsTakeTheTasksBox() throws {
        let parsed = try ModelSpec.parse(spec(#"{ "family": "gaussian", "bounds": "prior" }"#), tasks: Self.tasks)
        XCTAssertEqual(parsed.network("decoder")?.bounds, Box(lower: [-1, -1], upper: [1, 1]))
        XCTAssertEqual(parsed.network("decoder")?.distribution, .gaussian)
        XCTAssertNil(parsed.network("prior")?.bounds)
    }

    func testNumericBoundsOneForAllOrOneEach() throws {
        let all = try ModelSpec.parse(spec(#"{ "family": "gaussian", "bounds": [[0, 2.5]] }"#))
        XCTAssertEqual(all.network("decoder")?.bounds, Box(lower: [0, 0], upper: [2.5, 2.5]))
        let each = try ModelSpec.parse(spec(#"{ "family": "mixture", "components": 3, "bounds": [[-1, 1], [0, 10]] }"#))
        XCTAssertEqual(each.network("decoder")?.bounds, Box(lower: [-1, 0], upper: [1, 10]))
        XCTAssertEqual(each.network("decoder")?.distribution, OutputDistribution(GaussianMixture(components: 3)))
    }

    func testBadBoundsNameTheirPlace() {
        let at = "networks.decoder.output.theta.bounds"
        for (bounds, path, message) in [
            (#""priors""#, at, #"unknown bounds "priors" (expected "prior")"#),
            ("3", at, #"expected "prior" or a list of [lower, upper] pairs, found a number"#),
            ("[]", at, "give one [lower, upper] pair for every component, or one for all; found none"),
            ("[[1, -1]]", at + "[0]", "the lower bound must be below the upper, found [1, -1]"),
            ("[[0, 1], [0]]", at + "[1]", "expected a [lower, upper] pair, found 1 element"),
            (#"[[0, "1"]]"#, at + "[0][1]", "expected a number, found a string"),
            ("[[0, 1e31]]", at + "[0][1]", "must be in [-1e+30, 1e+30]"),
            ("[[0, 1], [0, 1], [0, 1]]", at, #""theta" has 2 components: give one [lower, upper] pair for each, or one for all; found 3"#),
        ] {
            assertDiagnostic(spec(#"{ "family": "gaussian", "bounds": \#(bounds) }"#), path: path, contains: message, tasks: Self.tasks)
        }
    }

    func testPriorBoundsNeedABoxPrior() {
        let at = "networks.decoder.output.theta.bounds"
        let bounded = spec(#"{ "family": "gaussian", "bounds": "prior" }"#)
        assertDiagnostic(bounded.replacing(#""task": "two_moons","#, with: ""), path: at,
                         contains: #""prior" bounds take the box of the task's prior, but the spec names no task; give the bounds as numbers"#,
                         tasks: Self.tasks)
        assertDiagnostic(bounded.replacing(#""task": "two_moons""#, with: #""task": "gaussian_linear""#), path: at,
                         contains: #"the prior of task "gaussian_linear" is not a box (uniform in every component)"#, tasks: Self.tasks)
        assertDiagnostic(bounded.replacing(#""task": "two_moons""#, with: #""task": "my_simulator""#), path: at,
                         contains: #"the prior of task "my_simulator" is not known here (no built-in task of that name)"#, tasks: Self.tasks)
    }

    /// The prior is over θ; y may be bounded only by numbers.
    func testPriorBoundsAreOverTheTarget() {
        let npe = """
            {
              "name": "fit_y", "task": "two_moons",
              "variables": { "theta": 2, "y": 2 },
              "networks": {
                "posterior": { "inputs": ["y"], "output": { "theta": "gaussian" } },
                "likelihood": { "inputs": ["theta"], "output": { "y": { "family": "gaussian", "bounds": BOUNDS } } }
              },
              "loss": [ { "nll": "posterior" }, { "nll": "likelihood" } ],
              "sample": { "given": "y", "path": ["posterior"], "target": "theta" },
              "training": { "scaling": { "y": "none" } }
            }
            """
        assertDiagnostic(npe.replacing("BOUNDS", with: #""prior""#), path: "networks.likelihood.output.y.bounds",
                         contains: #"the prior of task "two_moons" is over sample.target "theta", not "y""#, tasks: Self.tasks)
        XCTAssertEqual(try ModelSpec.parse(npe.replacing("BOUNDS", with: "[[-5, 5]]")).network("likelihood")?.bounds,
                       Box(-5...5, size: 2))
    }

    func testLatentVariablesAreNotBounded() {
        let latent = Fixture.cpvae.replacing(#""hidden": [128, 128],      "output": { "z": "gaussian" }"#,
                                             with: #""hidden": [128, 128],      "output": { "z": { "family": "gaussian", "bounds": [[-1, 1]] } }"#)
        assertDiagnostic(latent, path: "networks.prior.output.z.bounds",
                         contains: #""z" is latent; bounds apply to a data variable (sample.target, or one an nll fits)"#)
    }

    /// θ standardized outside the graph would put the box in the wrong units.
    func testABoundedVariableIsNotScaled() {
        let message = #"set training.scaling to {"theta": "none"}"#
        for scaling in [Self.unscaled, #""scaling": { "theta": "log_standard" } }"#, #""scaling": { "y": "none" } }"#] {
            assertDiagnostic(spec(#"{ "family": "gaussian", "bounds": [[-1, 1]] }"#, scaling: scaling),
                             path: "networks.decoder.output.theta.bounds", contains: message)
        }
        XCTAssertNoThrow(try ModelSpec.parse(spec(#"{ "family": "gaussian", "bounds": [[-1, 1]] }"#,
                                                   scaling: #""scaling": "none" }"#)))
    }
}
