import Foundation
import Interpreter
import IR
import JIT
import Passes
import Runtime

/// `sbic bench --matmuls`: every distinct matrix product of a graph (matmul in each transpose
/// form, dense with its bias and activation), timed alone with the JIT's own kernel and with
/// OpenBLAS, and which of the two the JIT uses for it.
struct MatmulComparison: Encodable {
    struct Case: Encodable {
        var op: String
        var m: Int, n: Int, k: Int
        var jitMicroseconds: Double
        var blasMicroseconds: Double
        var chosen: String
    }

    var model: String
    var cases: [Case] = []

    init(_ graph: Graph, iterations: Int) throws {
        model = graph.name
        struct Product: Hashable { var op: Op; var operands: [Shape] }
        var seen = Set<Product>()
        for program in graph.programs {
            for node in program.nodes {
                let operands = node.operands.map { program.nodes[$0].shape }
                let form: (String, Bool, Bool)
                switch node.op {
                case let .matmul(ta, tb): form = ("matmul" + (ta ? "[transpose_a]" : "") + (tb ? "[transpose_b]" : ""), ta, tb)
                case .dense(let activation): form = ("dense" + (activation.map { "." + $0.name } ?? ""), false, false)
                default: continue
                }
                guard seen.insert(Product(op: node.op, operands: operands)).inserted else { continue }
                let (name, ta, tb) = form
                let (m, k) = ta ? (operands[0].dims[1], operands[0].dims[0]) : (operands[0].dims[0], operands[0].dims[1])
                let n = node.shape.dims[1]
                let times = try MatmulKernel.allCases.map { kernel in try Self.time(node.op, operands, kernel, iterations) }
                let chosen = MatmulKernel.preferred(m: m, n: n, k: k, transposeA: ta, transposeB: tb, dense: name.hasPrefix("dense"))
                cases.append(Case(op: name, m: m, n: n, k: k, jitMicroseconds: times[0] * 1e6, blasMicroseconds: times[1] * 1e6,
                                  chosen: chosen.rawValue))
            }
        }
        cases.sort { ($0.op, $0.m, $0.n, $0.k) < ($1.op, $1.m, $1.n, $1.k) }
    }

    /// The median time of the op alone, its operands inputs filled with normal draws.
    private static func time(_ op: Op, _ operands: [Shape], _ kernel: MatmulKernel, _ iterations: Int) throws -> Double {
        var builder = Builder(Program(name: "product"), parameters: [])
        let inputs = try operands.enumerated().map { try builder.input("x\($0)", $1) }
        builder.output("y", try builder.add(op, inputs))
        let graph = planMemory(Graph(name: "product", programs: [builder.program]))
        let program = try JITProgram(graph.programs[0], parameters: ParameterStore(graph), options: JIT.Options(matmul: kernel))
        for (name, _) in program.program.inputs {
            let slot = program.input(name)
            for i in slot.indices { slot[i] = Float(i % 13) / 13 - 0.5 }
        }
        return Bench.median(runs: iterations, prepare: { _ in }) { program.run() }
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    var table: String {
        var lines = ["\(model): each product alone, µs (median)",
                     "op                              m      n      k      JIT   OpenBLAS  faster  used"]
        for c in cases {
            let faster = c.jitMicroseconds <= c.blasMicroseconds ? "jit" : "blas"
            lines.append(c.op.padding(toLength: 28, withPad: " ", startingAt: 0)
                         + [c.m, c.n, c.k].map { String(format: "%7d", $0) }.joined()
                         + String(format: "%9.2f %10.2f", c.jitMicroseconds, c.blasMicroseconds)
                         + "  " + faster.padding(toLength: 6, withPad: " ", startingAt: 0) + "  " + c.chosen)
        }
        return lines.joined(separator: "\n")
    }
}
