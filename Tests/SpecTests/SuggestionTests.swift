import XCTest
@testable import Spec

/// Misspelt names: one error each, with the name that was probably meant; tasks checked
/// against the built-in simulators; a kl term written the wrong way round.
final class SuggestionTests: XCTestCase {
    let cpvae = Fixture.cpvae
    static let tasks = [BuiltInTask(name: "two_moons", parameters: 2, observations: 2),
                        BuiltInTask(name: "slcp", parameters: 5, observations: 8)]

    func testAMisspeltVariableIsOneErrorWithASuggestion() {
        assertDiagnostic(cpvae.replacing(#"["y", "theta"]"#, with: #"["y", "Theta"]"#),
                         path: "networks.encoder.inputs[1]", contains: #"unknown variable "Theta"; did you mean "theta"?"#, at: "8:34")
        assertDiagnostic(cpvae.replacing(#""target": "theta""#, with: #""target": "Theta""#),
                         path: "sample.target", contains: #"unknown variable "Theta"; did you mean "theta"?"#)
        // A name far from every declared one gets no guess, nor does a one-letter name.
        assertDiagnostic(cpvae.replacing(#"["y", "z"]"#, with: #"["y", "omega"]"#),
                         path: "networks.decoder.inputs[1]", contains: #"unknown variable "omega""#)
        let short = assertDiagnostic(cpvae.replacing(#"["y", "z"]"#, with: #"["y", "w"]"#),
                                     path: "networks.decoder.inputs[1]", contains: #"unknown variable "w""#)
        XCTAssertEqual(short?.message, #"unknown variable "w""#)
    }

    func testAMisspeltNetworkHasASuggestion() {
        assertDiagnostic(cpvae.replacing(#""nll": "decoder""#, with: #""nll": "decodr""#),
                         path: "loss[1].nll", contains: #"unknown network "decodr"; did you mean "decoder"?"#)
        assertDiagnostic(cpvae.replacing(#""path": ["prior", "decoder"]"#, with: #""path": ["Prior", "decoder"]"#),
                         path: "sample.path[0]", contains: #"unknown network "Prior"; did you mean "prior"?"#)
    }

    func testSuggestionRule() {
        XCTAssertEqual(suggestion(for: "thet", among: ["y", "theta"]), "theta")
        XCTAssertEqual(suggestion(for: "THETA", among: ["y", "theta"]), "theta", "case alone")
        XCTAssertNil(suggestion(for: "beta", among: ["theta"]), "two edits in four letters is too far")
        XCTAssertEqual(suggestion(for: "encodr", among: ["decoder", "encoder"]), "encoder")
    }

    func testABuiltInTaskIsCheckedAgainstTheSizes() throws {
        XCTAssertNoThrow(try ModelSpec.parse(cpvae, tasks: Self.tasks))
        let wrong = cpvae.replacing(#""theta": 2, "y": 2"#, with: #""theta": 3, "y": 2"#)
        XCTAssertNoThrow(try ModelSpec.parse(wrong), "without the simulators, nothing to check against")
        XCTAssertThrowsError(try ModelSpec.parse(wrong, file: "s.json", tasks: Self.tasks)) { error in
            XCTAssertEqual("\(error)", #"s.json:6:27: variables.theta: two_moons has 2 parameters, but "theta" has size 3"#)
        }
        let slcp = cpvae.replacing(#""task": "two_moons""#, with: #""task": "slcp""#)
        XCTAssertThrowsError(try ModelSpec.parse(slcp, tasks: Self.tasks)) { error in
            let messages = (error as? SpecError)?.diagnostics.map(\.message) ?? []
            XCTAssertEqual(messages, [#"slcp has 5 parameters, but "theta" has size 2"#,
                                      #"slcp has 8 observed values, but "y" has size 2"#])
        }
    }

    func testATaskOneTypoFromABuiltInOneIsRefused() throws {
        XCTAssertThrowsError(try ModelSpec.parse(cpvae.replacing(#""task": "two_moons""#, with: #""task": "two_moon""#),
                                                 tasks: Self.tasks)) { error in
            XCTAssertTrue("\(error)".contains(#"task: unknown task "two_moon"; did you mean "two_moons"?"#), "\(error)")
        }
        // Any other name is the user's own simulator's.
        XCTAssertNoThrow(try ModelSpec.parse(cpvae.replacing(#""task": "two_moons""#, with: #""task": "my_simulator""#),
                                             tasks: Self.tasks))
    }

    /// Two latent layers, z2's posterior reading z1 and z1's prior reading z2: with z1's kl
    /// term the wrong way round, its prior becomes z1's source, and the flow a cycle.
    func testASwappedKLTermIsExplained() throws {
        let spec = """
            {
              "name": "hierarchy",
              "variables": { "theta": 2, "y": 2, "z1": 2, "z2": 2 },
              "networks": {
                "enc1": { "inputs": ["y", "theta"], "output": { "z1": "gaussian" } },
                "enc2": { "inputs": ["z1"], "output": { "z2": "gaussian" } },
                "prior2": { "inputs": ["y"], "output": { "z2": "gaussian" } },
                "prior1": { "inputs": ["z2", "y"], "output": { "z1": "gaussian" } },
                "decoder": { "inputs": ["y", "z1"], "output": { "theta": "gaussian" } }
              },
              "loss": [{ "kl": ["enc1", "prior1"] }, { "kl": ["enc2", "prior2"] }, { "nll": "decoder" }],
              "sample": { "given": "y", "path": ["prior2", "prior1", "decoder"], "target": "theta" }
            }
            """
        XCTAssertNoThrow(try ModelSpec.parse(spec))
        assertDiagnostic(spec.replacing(#"["enc1", "prior1"]"#, with: #"["prior1", "enc1"]"#),
                         path: "networks.enc2.inputs[0]",
                         contains: #"the training data flow has a cycle: enc2 -> prior1 -> enc2; "prior1" is the source of its "#
                                   + #"variable because it comes first in loss[0].kl: the first network of a kl term is the "#
                                   + #"posterior, whose sample the other networks read in training, and the second its prior "#
                                   + #"(was ["enc1", "prior1"] meant?)"#)
    }
}
