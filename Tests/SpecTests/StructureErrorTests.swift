import Foundation
import XCTest
@testable import Spec

/// Problems with one value on its own: keys, types, numbers and names.
final class StructureErrorTests: XCTestCase {
    let spec = Fixture.cpvae

    func testUnknownKeys() {
        assertDiagnostic(spec.replacing(#""log_variance_range""#, with: #""log_variance_rang""#),
                         path: "log_variance_rang",
                         contains: #"unknown key "log_variance_rang" (did you mean "log_variance_range"?)"#,
                         at: "13:3")
        assertDiagnostic(spec.replacing(#""prior":   { "inputs": ["y"],"#, with: #""prior":   { "inputs": ["y"], "dropout": 0.1,"#),
                         path: "networks.prior.dropout", contains: #"unknown key "dropout""#, at: "9:35")
        assertDiagnostic(spec.replacing(#""clip_norm""#, with: #""clipnorm""#),
                         path: "training.clipnorm", contains: #"(did you mean "clip_norm"?)"#)
        assertDiagnostic(spec.replacing(#""weight": 1.0 },"#, with: #""weight": 1.0, "beta": 2 },"#),
                         path: "loss[0].beta", contains: #"unknown key "beta""#)
        assertDiagnostic(spec.replacing(#""batch_size": 1000"#, with: #""batchsize": 1000"#),
                         path: "sample.batchsize", contains: #"did you mean "batch_size"?"#)
        assertDiagnostic(spec.replacing(#"{ "leaky_relu": 0.1 }"#, with: #"{ "leaky_relu": 0.1, "elu": 1 }"#),
                         path: "activation.elu", contains: #"unknown key "elu""#)
        // "$schema" belongs to the document, nowhere else.
        assertDiagnostic(spec.replacing(#""training": { "#, with: #""training": { "$schema": "x", "#),
                         path: "training.$schema", contains: #"unknown key "$schema""#)
    }

    func testWrongTypes() {
        assertDiagnostic(spec.replacing(#""name": "two_moons_cpvae""#, with: #""name": 3"#),
                         path: "name", contains: "expected a string, found a number", at: "3:11")
        assertDiagnostic(spec.replacing(#""variables": { "theta": 2, "y": 2, "z": 2 }"#, with: #""variables": ["theta"]"#),
                         path: "variables", contains: "expected an object, found an array")
        assertDiagnostic(spec.replacing(#""hidden": [128, 128],"#, with: #""hidden": 128,"#),
                         path: "networks.prior.hidden", contains: "expected an array, found a number")
        assertDiagnostic(spec.replacing(#""inputs": ["y"],"#, with: #""inputs": "y","#),
                         path: "networks.prior.inputs", contains: "expected an array, found a string")
        assertDiagnostic(spec.replacing(#""inputs": ["y"],"#, with: #""inputs": ["y", null],"#),
                         path: "networks.prior.inputs[1]", contains: "expected a string, found null")
        assertDiagnostic(spec.replacing(#""learning_rate": 5e-4"#, with: #""learning_rate": "fast""#),
                         path: "training.learning_rate", contains: "expected a number, found a string")
        assertDiagnostic(spec.replacing(#""theta": 2,"#, with: #""theta": true,"#),
                         path: "variables.theta", contains: "expected a positive integer, found a boolean")
        assertDiagnostic(spec.replacing(#""activation": "tanh""#, with: #""activation": 1"#),
                         path: "networks.decoder.activation",
                         contains: #"expected an activation name or {"leaky_relu": slope}, found a number"#)
        assertDiagnostic(spec.replacing(#""nll": "decoder""#, with: #""nll": ["decoder"]"#),
                         path: "loss[1].nll", contains: "expected a string, found an array")
        assertDiagnostic("[1, 2]", path: "$", contains: "expected an object, found an array", at: "1:1")
    }

    func testMissingRequiredKeys() {
        assertDiagnostic(spec.replacing(#""name": "two_moons_cpvae","#, with: ""),
                         path: "$", contains: #"missing required key "name""#, at: "1:1")
        assertDiagnostic(spec.replacing(#", "output": { "theta": "gaussian" }"#, with: ""),
                         path: "networks.decoder", contains: #"missing required key "output""#, at: "10:16")
        assertDiagnostic(spec.replacing(#", "target": "theta""#, with: ""),
                         path: "sample", contains: #"missing required key "target""#)
        let bare = diagnostics("{}").map(\.message)
        XCTAssertEqual(bare, ["name", "variables", "networks", "loss", "sample"].map { "missing required key \"\($0)\"" })
    }

    func testNonPositiveOrFractionalCounts() {
        assertDiagnostic(spec.replacing(#""theta": 2,"#, with: #""theta": 0,"#),
                         path: "variables.theta", contains: "must be a positive integer, found 0", at: "6:27")
        assertDiagnostic(spec.replacing(#""z": 2 }"#, with: #""z": 2.5 }"#),
                         path: "variables.z", contains: "must be a positive integer, found 2.5")
        assertDiagnostic(spec.replacing(#""y": 2,"#, with: #""y": -1,"#),
                         path: "variables.y", contains: "must be a positive integer, found -1")
        assertDiagnostic(spec.replacing(#""hidden": [128, 128],"#, with: #""hidden": [128, 0],"#),
                         path: "networks.prior.hidden[1]", contains: "must be a positive integer, found 0")
        assertDiagnostic(spec.replacing(#""batch_size": 32"#, with: #""batch_size": 0"#),
                         path: "training.batch_size", contains: "must be a positive integer")
        assertDiagnostic(spec.replacing(#""max_epochs": 1000"#, with: #""max_epochs": 1.5"#),
                         path: "training.max_epochs", contains: "must be a positive integer, found 1.5")
        assertDiagnostic(spec.replacing(#""patience": 20"#, with: #""patience": 0"#),
                         path: "training.patience", contains: "must be a positive integer")
        assertDiagnostic(spec.replacing(#""batch_size": 1000"#, with: #""batch_size": -3"#),
                         path: "sample.batch_size", contains: "must be a positive integer, found -3")
    }

    func testHugeNumbersAreDiagnosedNotTrapped() {
        assertDiagnostic(spec.replacing(#""z": 2 }"#, with: #""z": 1e999 }"#),
                         path: "variables.z", contains: "must be at most 2147483647, found 1e999")
        assertDiagnostic(spec.replacing(#""z": 2 }"#, with: #""z": 99999999999999999999 }"#),
                         path: "variables.z", contains: "must be at most 2147483647, found 99999999999999999999")
        assertDiagnostic(spec.replacing(#""z": 2 }"#, with: #""z": 2147483648 }"#),
                         path: "variables.z", contains: "must be at most 2147483647")
        assertDiagnostic(spec.replacing(#""z": 2 }"#, with: #""z": -1e999 }"#),
                         path: "variables.z", contains: "must be a positive integer, found -1e999")
        assertDiagnostic(spec.replacing(#""hidden": [128, 128],"#, with: #""hidden": [128, 1e400],"#),
                         path: "networks.prior.hidden[1]", contains: "must be at most 2147483647")
        assertDiagnostic(spec.replacing(#""learning_rate": 5e-4"#, with: #""learning_rate": 1e999"#),
                         path: "training.learning_rate", contains: "1e999 is beyond the range of a 64-bit float")
        assertDiagnostic(spec.replacing(#""weight": 1.0 },"#, with: #""weight": -1e999 },"#),
                         path: "loss[0].weight", contains: "beyond the range")
        XCTAssertNoThrow(try ModelSpec.parse(spec.replacing(#""z": 2 }"#, with: #""z": 2147483647 }"#)))
    }

    func testNumbersOutOfRange() {
        let cases: [(String, String, String, String)] = [
            (#""learning_rate": 5e-4"#, #""learning_rate": 0"#, "training.learning_rate", "must be greater than 0, found 0"),
            (#""weight_decay": 0.01"#, #""weight_decay": -0.01"#, "training.weight_decay", "must be at least 0, found -0.01"),
            (#""epsilon": 1e-8"#, #""epsilon": 0"#, "training.epsilon", "must be greater than 0"),
            (#""clip_norm": 3.0"#, #""clip_norm": -3"#, "training.clip_norm", "must be greater than 0, found -3"),
            (#""validation_fraction": 0.1"#, #""validation_fraction": 1"#, "training.validation_fraction", "must be in (0, 1), found 1"),
            (#""validation_fraction": 0.1"#, #""validation_fraction": 0"#, "training.validation_fraction", "must be in (0, 1), found 0"),
            (#""betas": [0.9, 0.999]"#, #""betas": [0.9, 1]"#, "training.betas[1]", "must be in [0, 1), found 1"),
            (#""betas": [0.9, 0.999]"#, #""betas": [-0.1, 0.999]"#, "training.betas[0]", "must be in [0, 1), found -0.1"),
            (#""betas": [0.9, 0.999]"#, #""betas": [0.9]"#, "training.betas", "expected [beta1, beta2], found 1 element"),
            (#""weight": 1.0 },"#, #""weight": -0.5 },"#, "loss[0].weight", "must be at least 0, found -0.5"),
            (#"[-20, 20]"#, #"[5, 5]"#, "log_variance_range", "the lower end (5) must be less than the upper end (5)"),
            (#"[-20, 20]"#, #"[-100, 20]"#, "log_variance_range[0]", "must be in [-87, 87], found -100"),
            (#"[-20, 20]"#, #"[-20, 20, 30]"#, "log_variance_range", "expected [lower, upper], found 3 elements"),
            (#"{ "leaky_relu": 0.1 }"#, #"{ "leaky_relu": 1.5 }"#, "activation.leaky_relu", "must be in [0, 1), found 1.5"),
        ]
        for (original, replacement, path, message) in cases {
            assertDiagnostic(spec.replacing(original, with: replacement), path: path, contains: message)
        }
    }

    func testUnknownChoices() {
        assertDiagnostic(spec.replacing(#""adamw""#, with: #""adam""#),
                         path: "training.optimizer", contains: #"unknown optimizer "adam" (expected "adamw")"#)
        assertDiagnostic(spec.replacing(#""kaiming_normal""#, with: #""xavier""#),
                         path: "training.init", contains: #"unknown initialization "xavier" (expected "kaiming_normal")"#)
        assertDiagnostic(spec.replacing(#""scaling": "standard""#, with: #""scaling": "minmax""#),
                         path: "training.scaling",
                         contains: #"unknown scaling "minmax" (expected "standard", "robust", "log_standard" or "none")"#)
        assertDiagnostic(spec.replacing(#""scaling": "standard""#, with: #""scaling": { "y": "minmax" }"#),
                         path: "training.scaling.y",
                         contains: #"unknown scaling "minmax" (expected "standard", "robust", "log_standard" or "none")"#)
        assertDiagnostic(spec.replacing(#""scaling": "standard""#, with: #""scaling": { "z": "log_standard" }"#),
                         path: "training.scaling.z",
                         contains: #""z" is not a data variable: scaling applies to "theta" and "y""#)
        assertDiagnostic(spec.replacing(#"{ "theta": "gaussian" }"#, with: #"{ "theta": "laplace" }"#),
                         path: "networks.decoder.output.theta",
                         contains: #"unknown distribution "laplace" (expected "gaussian", "standard_normal", "mixture", "spline_flow" or "affine_flow")"#)
        assertDiagnostic(spec.replacing(#""tanh""#, with: #""gelu""#),
                         path: "networks.decoder.activation", contains: #"unknown activation "gelu""#)
        assertDiagnostic(spec.replacing(#""tanh""#, with: #""leaky_relu""#),
                         path: "networks.decoder.activation", contains: #"leaky_relu needs a slope"#)
    }

    func testBadNames() {
        assertDiagnostic(spec.replacing(#""two_moons_cpvae""#, with: #""two moons""#),
                         path: "name", contains: #"invalid name "two moons": a model name starts with a letter, a digit or "_" and uses only"#)
        // The name is a directory's (models/NAME): it must not lead elsewhere.
        for name in ["..", ".", "../x", "/tmp/x", "-rf", ".x"] {
            assertDiagnostic(spec.replacing(#""two_moons_cpvae""#, with: "\"\(name)\""),
                             path: "name", contains: "invalid name \"\(name)\": a model name starts with")
        }
        // A task with a leading space did not survive the graph's metadata line (a fuzzing find).
        assertDiagnostic(spec.replacing(#""task": "two_moons""#, with: #""task": " two_moons""#),
                         path: "task", contains: #"invalid task " two_moons": a task name starts with"#)
        assertDiagnostic(spec.replacingOccurrences(of: #""z""#, with: #""2z""#),
                         path: #"variables["2z"]"#, contains: #"invalid name "2z": names start with a letter"#,
                         at: "6:38")
        assertDiagnostic(spec.replacing(#""prior":   {"#, with: #""prior-net": {"#)
                             .replacing(#"["encoder", "prior"]"#, with: #"["encoder", "prior-net"]"#)
                             .replacing(#"["prior", "decoder"]"#, with: #"["prior-net", "decoder"]"#),
                         path: #"networks["prior-net"]"#, contains: #"invalid name "prior-net""#, at: "9:5")
    }

    func testDuplicateKeysNameBothPlaces() {
        assertDiagnostic(spec.replacing(#""z": 2 }"#, with: #""z": 2, "y": 3 }"#),
                         path: "variables.y", contains: #"duplicate key "y" (first at 6:30)"#, at: "6:46")
        assertDiagnostic(spec.replacing(#""task": "two_moons","#, with: #""task": "two_moons", "name": "again","#),
                         path: "name", contains: #"duplicate key "name" (first at 3:3)"#, at: "4:24")
    }

    func testOutputNamesExactlyOneVariable() {
        assertDiagnostic(spec.replacing(#"{ "theta": "gaussian" }"#, with: #"{ "theta": "gaussian", "z": "gaussian" }"#),
                         path: "networks.decoder.output", contains: "a network outputs exactly one variable")
        assertDiagnostic(spec.replacing(#"{ "theta": "gaussian" }"#, with: "{}"),
                         path: "networks.decoder.output", contains: "found none")
    }

    func testLossTermShapes() {
        assertDiagnostic(spec.replacing(#"{ "nll": "decoder","#, with: #"{ "nll": "decoder", "kl": ["encoder", "prior"],"#),
                         path: "loss[1]", contains: #"a loss term has exactly one of "kl" and "nll""#, at: "16:5")
        assertDiagnostic(spec.replacing(#"{ "nll": "decoder","#, with: #"{"#),
                         path: "loss[1]", contains: #"exactly one of "kl" and "nll""#)
        assertDiagnostic(spec.replacing(#"["encoder", "prior"]"#, with: #"["encoder", "prior", "decoder"]"#),
                         path: "loss[0].kl", contains: "kl names two networks, [posterior, prior]; found 3")
        let empty = diagnostics(spec.replacing(#"""
            "loss": [
                { "kl":  ["encoder", "prior"], "weight": 1.0 },
                { "nll": "decoder",            "weight": 1.0 }
              ],
            """#, with: #""loss": [],"#))
        XCTAssertTrue(empty.contains { $0.path == "loss" && $0.message == "the loss needs at least one term" },
                      "\(SpecError(diagnostics: empty))")
    }
}
