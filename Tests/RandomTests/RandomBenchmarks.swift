import Foundation
import Random
import XCTest

/// Sampler speeds quoted in docs/tasks.md. They run only when asked, in release:
///
///     SBIC_BENCHMARK=1 swift test -c release --filter RandomBenchmarks
final class RandomBenchmarks: XCTestCase {
    override func setUpWithError() throws {
        guard ProcessInfo.processInfo.environment["SBIC_BENCHMARK"] != nil else {
            throw XCTSkip("set SBIC_BENCHMARK=1 to run")
        }
    }

    @inline(__always)
    private func nanoseconds(_ count: Int, _ body: (inout RandomStream) -> Double) -> Double {
        var stream = RandomStream(seed: 1, stream: "benchmark")
        var sink = 0.0
        let start = Date()
        for _ in 0..<count { sink += body(&stream) }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssert(sink.isFinite || sink.isNaN)
        return elapsed * 1e9 / Double(count)
    }

    func testSamplerSpeeds() {
        let n = 10_000_000
        print("| sampler | ns per draw |")
        print("|---|---|")
        func report(_ name: String, _ ns: Double) { print(String(format: "| %@ | %.2f |", name, ns)) }
        report("next (UInt64)", nanoseconds(n) { Double($0.next() & 1) })
        report("uniform", nanoseconds(n) { $0.uniform() })
        report("normal", nanoseconds(n) { $0.normal() })
        report("exponential", nanoseconds(n) { $0.exponential() })
        report("gamma(shape: 2.5)", nanoseconds(n) { $0.gamma(shape: 2.5) })
        report("binomial(1000, 0.005)", nanoseconds(n) { Double($0.binomial(count: 1000, probability: 0.005)) })
        report("binomial(1000, 0.3)", nanoseconds(n) { Double($0.binomial(count: 1000, probability: 0.3)) })
        var stream = RandomStream(seed: 2, stream: "benchmark")
        var buffer = [Float](repeating: 0, count: 32 * 128)
        let start = Date()
        let rounds = 5_000
        for _ in 0..<rounds { buffer.withUnsafeMutableBufferPointer { stream.fillNormal($0) } }
        let perValue = Date().timeIntervalSince(start) * 1e9 / Double(rounds * buffer.count)
        print(String(format: "| fillNormal (Float, 32 × 128 buffer) | %.2f |", perValue))
    }
}
