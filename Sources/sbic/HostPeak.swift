import Foundation
import IR
import JIT
import Passes
import Runtime

/// The host's measured peak: the best GFLOP/s of the JIT's own matrix-product kernel on
/// square products, each the best of several timed rounds, so that a program's GFLOP/s can be
/// read as a share of what this core reaches. Square sizes from 64 to 256 span the shapes
/// whose operands fit in L1 and L2.
struct HostPeak: Encodable {
    struct Size: Encodable {
        let n: Int
        let microseconds: Double
        let gflops: Double
    }

    static let sizes = [64, 128, 192, 256]

    let sizes: [Size]
    var gflops: Double { sizes.map(\.gflops).max() ?? 0 }
    var best: Size? { sizes.max { $0.gflops < $1.gflops } }

    enum CodingKeys: String, CodingKey { case sizes, gflops }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sizes, forKey: .sizes)
        try c.encode(gflops, forKey: .gflops)
    }

    /// Compiles one program per size (C = A · B, n × n, as dense layers store B) and keeps,
    /// per size, the fastest of `rounds` rounds of calls adding up to about 0.1 GFLOP each.
    static func measure(rounds: Int = 7) throws -> HostPeak {
        var programs: [Program] = []
        for n in sizes {
            var b = Builder(Program(name: "peak\(n)"), parameters: [])
            b.output("c", try b.add(.matmul(transposeA: false, transposeB: false), [try b.input("a", [n, n]), try b.input("b", [n, n])]))
            programs.append(b.program)
        }
        let graph = planMemory(Graph(name: "peak", parameters: [], programs: programs))
        let compiled = try JIT.compile(graph, parameters: ParameterStore<Float>(graph))
        var measured: [Size] = []
        for n in sizes {
            let program = compiled["peak\(n)"]!
            for name in ["a", "b"] {
                let input = program.input(name)
                for i in input.indices { input[i] = Float((i * 7919) % 1000) / 1000 - 0.5 }
            }
            let flops = 2 * n * n * n
            let calls = max(1, 100_000_000 / flops)
            var best = Double.infinity
            let clock = ContinuousClock()
            program.run()
            for _ in 0..<rounds {
                let start = clock.now
                for _ in 0..<calls { program.run() }
                best = min(best, Bench.seconds(clock.now - start) / Double(calls))
            }
            measured.append(Size(n: n, microseconds: best * 1e6, gflops: Double(flops) / best / 1e9))
        }
        return HostPeak(sizes: measured)
    }
}
