import Foundation
import IR
import Passes
import Spec
import TestSupport
import XCTest

/// Compiling is O(n log n) in a network's layers. Timed, so it runs only when asked, in release:
///
///     SBIC_BENCHMARK=1 swift test -c release --disable-swift-testing --filter CompileBenchmarks
///
/// It prints the seconds of each pass (with the verifier after it) for 1,000 to 10,000 layers.
final class CompileBenchmarks: XCTestCase {
    override func setUpWithError() throws {
        guard ProcessInfo.processInfo.environment["SBIC_BENCHMARK"] != nil else {
            throw XCTSkip("set SBIC_BENCHMARK=1 to run")
        }
    }

    /// specs/two_moons_cpvae.json with `layers` hidden layers of width 8, shared out among its
    /// encoder, prior and decoder.
    static func deepSpec(layers: Int) throws -> ModelSpec {
        let url = repository.appendingPathComponent("specs/two_moons_cpvae.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var networks = json["networks"] as! [String: [String: Any]]
        for (k, name) in ["encoder", "prior", "decoder"].enumerated() {
            networks[name]!["hidden"] = Array(repeating: 8, count: layers / 3 + (k < layers % 3 ? 1 : 0))
        }
        json["networks"] = networks
        json["name"] = "deep\(layers)"
        json.removeValue(forKey: "$schema")
        return try ModelSpec.parse(String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self))
    }

    func testDeepNetworksCompile() throws {
        for layers in [1_000, 2_000, 4_000, 10_000] {
            let spec = try Self.deepSpec(layers: layers)
            var seconds: [(String, Double)] = []
            var last = Date()
            let start = last
            let options = Compiler.Options(afterEachPass: { pass, _ in
                seconds.append((pass, Date().timeIntervalSince(last)))
                last = Date()
            })
            let (graph, _) = try Compiler(options: options).compile(spec)
            let text = graph.text
            let total = Date().timeIntervalSince(start)
            XCTAssertEqual(graph.parameters.filter { $0.kind == .weight }.count, 2 * (layers + 6))
            XCTAssertGreaterThan(graph.program("train_step")!.nodes.count, 10 * layers)
            XCTAssertFalse(text.isEmpty)
            print("\(layers) layers: " + seconds.map { String(format: "%@ %.2f", $0.0, $0.1) }.joined(separator: ", ")
                  + String(format: "; in all (with printing) %.1f s", total))
            // Generous: quadratic passes took 295 s at 10,000 layers; O(n log n) takes seconds.
            XCTAssertLessThan(total, Double(layers) / 100, "\(layers) layers")
        }
    }
}
