import XCTest
@testable import Spec

/// Specifications the tests start from. Error tests change one thing in a valid one, so
/// each exercises exactly one mistake; their line and column expectations rely on the
/// layout below.
enum Fixture {
    static let cpvae = """
        {
          "$schema": "schema.json",
          "name": "two_moons_cpvae",
          "task": "two_moons",
          "description": "Conditional-prior VAE for the two-moons task",
          "variables": { "theta": 2, "y": 2, "z": 2 },
          "networks": {
            "encoder": { "inputs": ["y", "theta"], "hidden": [128, 128, 128], "output": { "z": "gaussian" } },
            "prior":   { "inputs": ["y"],          "hidden": [128, 128],      "output": { "z": "gaussian" } },
            "decoder": { "inputs": ["y", "z"],     "hidden": [128, 128, 128], "output": { "theta": "gaussian" }, "activation": "tanh" }
          },
          "activation": { "leaky_relu": 0.1 },
          "log_variance_range": [-20, 20],
          "loss": [
            { "kl":  ["encoder", "prior"], "weight": 1.0 },
            { "nll": "decoder",            "weight": 1.0 }
          ],
          "sample": { "given": "y", "path": ["prior", "decoder"], "target": "theta", "batch_size": 1000 },
          "training": { "optimizer": "adamw", "learning_rate": 5e-4, "weight_decay": 0.01, "betas": [0.9, 0.999],
                        "epsilon": 1e-8, "batch_size": 32, "max_epochs": 1000, "patience": 20, "clip_norm": 3.0,
                        "validation_fraction": 0.1, "init": "kaiming_normal", "scaling": "standard" }
        }
        """

    static let upvae = """
        {
          "name": "two_moons_upvae",
          "task": "two_moons",
          "variables": { "theta": 2, "y": 2, "z": 2 },
          "networks": {
            "encoder":      { "inputs": ["y", "theta"], "hidden": [128, 128, 128], "output": { "z": "gaussian" } },
            "prior":        { "inputs": [],             "output": { "z": "standard_normal" } },
            "decoder":      { "inputs": ["y", "z"],     "hidden": [128, 128, 128], "output": { "theta": "gaussian" } },
            "data_decoder": { "inputs": ["z"],          "hidden": [128, 128],      "output": { "y": "gaussian" } }
          },
          "loss": [
            { "kl":  ["encoder", "prior"], "weight": 0.4 },
            { "nll": "decoder",            "weight": 0.4 },
            { "nll": "data_decoder",       "weight": 0.2 }
          ],
          "sample": { "given": "y", "path": ["prior", "decoder"], "target": "theta" }
        }
        """

    /// Two latent layers, z1 then z2 given z1, with the networks listed in an order that
    /// differs from the training order.
    static let stacked = """
        {
          "name": "stacked",
          "variables": { "theta": 3, "y": 5, "z1": 4, "z2": 2 },
          "networks": {
            "decoder": { "inputs": ["y", "z1", "z2"], "hidden": [64], "output": { "theta": "gaussian" } },
            "prior2":  { "inputs": ["y", "z1"],       "hidden": [32], "output": { "z2": "gaussian" } },
            "prior1":  { "inputs": ["y"],             "hidden": [32], "output": { "z1": "gaussian" } },
            "encoder2": { "inputs": ["y", "z1"],      "hidden": [32], "output": { "z2": "gaussian" } },
            "encoder1": { "inputs": ["y", "theta"],   "hidden": [32], "output": { "z1": "gaussian" } }
          },
          "loss": [
            { "kl": ["encoder1", "prior1"] },
            { "kl": ["encoder2", "prior2"] },
            { "nll": "decoder" }
          ],
          "sample": { "given": "y", "path": ["prior1", "prior2", "decoder"], "target": "theta" }
        }
        """
}

extension String {
    /// The text with `target`, which must occur exactly once, replaced.
    func replacing(_ target: String, with replacement: String,
                   file: StaticString = #filePath, line: UInt = #line) -> String {
        let parts = components(separatedBy: target)
        XCTAssertEqual(parts.count, 2, "\(target) should occur exactly once", file: file, line: line)
        return parts.joined(separator: replacement)
    }
}

/// The diagnostics parsing `text` produces; a failure if it parses.
func diagnostics(_ text: String, tasks: [BuiltInTask] = [], file: StaticString = #filePath, line: UInt = #line) -> [Diagnostic] {
    do {
        let spec = try ModelSpec.parse(text, tasks: tasks)
        XCTFail("parsed \(spec.name) without diagnostics", file: file, line: line)
    } catch let error as SpecError {
        return error.diagnostics
    } catch {
        XCTFail("threw \(error) instead of a SpecError", file: file, line: line)
    }
    return []
}

/// Asserts that parsing `text` reports exactly one problem, at `path`, whose message
/// contains `fragment`, and at `location` ("line:column") when given.
@discardableResult
func assertDiagnostic(_ text: String, path: String, contains fragment: String, at location: String? = nil,
                      tasks: [BuiltInTask] = [], file: StaticString = #filePath, line: UInt = #line) -> Diagnostic? {
    let found = diagnostics(text, tasks: tasks, file: file, line: line)
    guard found.count == 1, let diagnostic = found.first else {
        XCTFail("expected one diagnostic, got:\n\(SpecError(diagnostics: found))", file: file, line: line)
        return nil
    }
    XCTAssertEqual(diagnostic.path, path, "\(diagnostic)", file: file, line: line)
    XCTAssertTrue(diagnostic.message.contains(fragment),
                  "\(quoted(diagnostic.message)) lacks \(quoted(fragment))", file: file, line: line)
    if let location {
        XCTAssertEqual("\(diagnostic.line):\(diagnostic.column)", location, "\(diagnostic)", file: file, line: line)
    }
    return diagnostic
}

/// Asserts that parsing `text` reports, among others, a problem at `path` whose message
/// contains `fragment`: for mistakes with more than one true consequence.
func assertIncludesDiagnostic(_ text: String, path: String, contains fragment: String,
                              file: StaticString = #filePath, line: UInt = #line) {
    let found = diagnostics(text, file: file, line: line)
    XCTAssertTrue(found.contains { $0.path == path && $0.message.contains(fragment) },
                  "no \(path): …\(fragment)… in:\n\(SpecError(diagnostics: found))", file: file, line: line)
}
