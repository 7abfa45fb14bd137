import Foundation
import IR
import XCTest
@testable import Spec

/// specs/schema.json describes the language for editors. These tests keep it in step
/// with the keys the parser accepts and the defaults the model types use.
final class SchemaTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func schema() throws -> JSONValue {
        let path = Self.root.appendingPathComponent("specs/schema.json").path
        return try JSONValue.parse(String(contentsOfFile: path, encoding: .utf8), file: path)
    }

    /// The value at `keys`, failing the test when it is absent.
    private func lookup(_ value: JSONValue, _ keys: String..., file: StaticString = #filePath,
                        line: UInt = #line) throws -> JSONValue {
        var value = value
        for key in keys {
            value = try XCTUnwrap(value[key], "no \(key) in \(keys.joined(separator: "."))", file: file, line: line)
        }
        return value
    }

    private func memberNames(_ value: JSONValue) -> [String] {
        guard case .object(let members) = value.kind else { return [] }
        return members.map(\.key)
    }

    private func strings(_ value: JSONValue) -> [String] {
        guard case .array(let elements) = value.kind else { return [] }
        return elements.compactMap { if case .string(let text) = $0.kind { text } else { nil } }
    }

    private func numbers(_ value: JSONValue) -> [Double] {
        let elements: [JSONValue] = if case .array(let elements) = value.kind { elements } else { [value] }
        return elements.compactMap { if case .number(let number) = $0.kind { number.doubleValue } else { nil } }
    }

    func testPropertiesMatchTheKeysTheParserAccepts() throws {
        let schema = try schema()
        let objects: [(KeySchema, [String])] = [
            (.document, []),
            (.sample, ["properties", "sample"]),
            (.training, ["properties", "training"]),
            (.network, ["$defs", "network"]),
            (.lossTerm, ["$defs", "lossTerm"]),
        ]
        for (keys, location) in objects {
            var object = schema
            for key in location { object = try lookup(object, key) }
            XCTAssertEqual(memberNames(try lookup(object, "properties")), keys.allowed, "\(location)")
            XCTAssertEqual(strings(object["required"] ?? JSONValue(.array([]), at: object.location)),
                           keys.required, "\(location)")
            XCTAssertEqual(object["additionalProperties"]?.kind, .bool(false), "\(location)")
        }
    }

    func testDefaultsMatchTheModelTypes() throws {
        let schema = try schema()
        let training = try lookup(schema, "properties", "training", "properties")
        let defaults = Training()
        func number(_ key: String) throws -> [Double] { numbers(try lookup(training, key, "default")) }
        XCTAssertEqual(try lookup(training, "optimizer", "default").kind, .string(defaults.optimizer))
        XCTAssertEqual(try number("learning_rate"), [defaults.learningRate])
        XCTAssertEqual(try number("weight_decay"), [defaults.weightDecay])
        XCTAssertEqual(try number("betas"), [defaults.beta1, defaults.beta2])
        XCTAssertEqual(try number("epsilon"), [defaults.epsilon])
        XCTAssertEqual(try number("batch_size"), [Double(defaults.batchSize)])
        XCTAssertEqual(try number("max_epochs"), [Double(defaults.maxEpochs)])
        XCTAssertEqual(try number("patience"), [Double(defaults.patience)])
        XCTAssertEqual(try number("clip_norm"), [defaults.clipNorm])
        XCTAssertEqual(try number("validation_fraction"), [defaults.validationFraction])
        XCTAssertEqual(try lookup(training, "init", "default").kind, .string(defaults.initialization))
        XCTAssertEqual(try lookup(training, "scaling", "default").kind, .string(defaults.scaling.rawValue))

        XCTAssertEqual(strings(try lookup(training, "optimizer", "enum")), Training.optimizers)
        XCTAssertEqual(strings(try lookup(training, "init", "enum")), Training.initializations)
        XCTAssertEqual(strings(try lookup(schema, "$defs", "scaling", "enum")), Scaling.allCases.map(\.rawValue))

        XCTAssertEqual(numbers(try lookup(schema, "properties", "sample", "properties", "batch_size", "default")),
                       [Double(Sampling.defaultBatchSize)])
        let range = ModelSpec.defaultLogVarianceRange
        XCTAssertEqual(numbers(try lookup(schema, "properties", "log_variance_range", "default")),
                       [range.lowerBound, range.upperBound])
        guard case .leakyReLU(let slope) = Activation.default else { return XCTFail("default activation") }
        XCTAssertEqual(numbers(try lookup(schema, "properties", "activation", "default", "leaky_relu")), [slope])
        XCTAssertEqual(numbers(try lookup(schema, "$defs", "lossTerm", "properties", "weight", "default")),
                       [LossTerm.defaultWeight])
        // Families without settings are named by a string; each with settings is an object
        // holding "family" and its settings, with their ranges.
        let kinds = try lookup(schema, "$defs", "network", "properties", "output", "additionalProperties", "oneOf")
        guard case .array(let variants) = kinds.kind, let names = variants.first else { return XCTFail("output.oneOf") }
        let withoutSettings = DistributionFamilies.all.filter { $0.options.isEmpty }.map { $0.name }
        XCTAssertEqual(strings(try lookup(names, "enum")), withoutSettings)
        // Then the same families as objects, which may carry bounds, as every object may.
        XCTAssertEqual(strings(try lookup(variants[1], "properties", "family", "enum")), withoutSettings)
        for variant in variants.dropFirst() {
            XCTAssertNoThrow(try lookup(variant, "properties", "bounds", "$ref"))
        }
        let withSettings = DistributionFamilies.all.filter { !$0.options.isEmpty }
        XCTAssertEqual(variants.count, 2 + withSettings.count)
        for (family, variant) in zip(withSettings, variants.dropFirst(2)) {
            if case .string(let name) = try lookup(variant, "properties", "family", "const").kind {
                XCTAssertEqual(name, family.name)
            } else {
                XCTFail("\(family.name): family is no const string")
            }
            XCTAssertEqual(strings(try lookup(variant, "required")), ["family"] + family.options.map(\.name))
            for option in family.options {
                XCTAssertEqual(numbers(try lookup(variant, "properties", option.name, "minimum")), [Double(option.range.lowerBound)])
                XCTAssertEqual(numbers(try lookup(variant, "properties", option.name, "maximum")), [Double(option.range.upperBound)])
            }
        }
        XCTAssertEqual(numbers(try lookup(schema, "$defs", "count", "maximum")), [Double(SpecDecoder.maximumCount)])
    }

    /// The schema's name patterns accept exactly the names the parser accepts.
    func testNamePatternsMatchTheParsersRules() throws {
        let schema = try schema()
        func pattern(_ keys: String...) throws -> NSRegularExpression {
            var value = schema
            for key in keys { value = try lookup(value, key) }
            guard case .string(let text) = try lookup(value, "pattern").kind else {
                throw SchemaError(description: "the pattern at \(keys) is not a string")
            }
            return try NSRegularExpression(pattern: text)
        }
        func matches(_ regex: NSRegularExpression, _ name: String) -> Bool {
            regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
        }
        let names = ["two_moons", "slcp-cpvae.v2", "_x", "x1", "1x", "", " two_moons", "two moons",
                     "a/b", "tâche", "θ", "..", "-", "x_y_z9"]
        let modelName = try pattern("properties", "name")
        let task = try pattern("properties", "task")
        let identifier = try pattern("$defs", "identifier")
        for name in names {
            XCTAssertEqual(matches(modelName, name), NameRules.isModelName(name), "name \(name.debugDescription)")
            XCTAssertEqual(matches(task, name), NameRules.isModelName(name), "task \(name.debugDescription)")
            XCTAssertEqual(matches(identifier, name), NameRules.isIdentifier(name), "identifier \(name.debugDescription)")
        }
    }

    /// Every complete specification shown in docs/spec.md is valid.
    func testDocumentedExamplesParse() throws {
        let path = Self.root.appendingPathComponent("docs/spec.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let blocks = text.components(separatedBy: "```json\n").dropFirst()
            .compactMap { $0.components(separatedBy: "\n```").first }
            .filter { $0.contains("\"sample\"") && $0.hasPrefix("{") }
        XCTAssertGreaterThanOrEqual(blocks.count, 2)
        let names = try blocks.map { try ModelSpec.parse($0, file: "docs/spec.md").name }
        XCTAssertTrue(names.contains("two_moons_cpvae"), "\(names)")
        XCTAssertTrue(names.contains("two_moons_upvae"), "\(names)")
    }
}

private struct SchemaError: Error, CustomStringConvertible {
    let description: String
}
