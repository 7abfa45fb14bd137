import Interpreter
import IR
import JIT
import Passes
import Runtime
import TestSupport
import XCTest

/// Matrix products in all four transpose forms and dense layers with every activation, on
/// shapes that exercise full tiles, ragged row and column tiles, the narrow kernels (fewer
/// than 16 columns) and tiny dimensions. Sums of k products are accurate relative to their
/// terms, so the tolerance is relative to the result's scale.
final class MatmulParityTests: XCTestCase {
    /// (m, k, n); 17 to 21 columns go through OpenBLAS (called from the JIT'd code) by default.
    static let shapes = [(3, 5, 7), (7, 130, 2), (33, 200, 100), (16, 128, 128), (1, 1, 1), (5, 3, 200),
                         (40, 17, 5), (9, 2, 130), (1000, 128, 2), (12, 40, 15), (8, 16, 17), (128, 32, 4), (24, 128, 20)]

    func testMatmulInEveryTransposeForm() throws {
        for (m, k, n) in Self.shapes {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    try OpHarness().check("matmul m\(m) k\(k) n\(n) ta \(transposeA) tb \(transposeB)", .scaled(1e-5)) { b in
                        let x = try b.input("a", transposeA ? [k, m] : [m, k])
                        let y = try b.input("b", transposeB ? [n, k] : [k, n])
                        b.output("c", try b.add(.matmul(transposeA: transposeA, transposeB: transposeB), [x, y]))
                    }
                }
            }
        }
    }

    func testDenseWithEveryActivation() throws {
        // Every activation row of the op table, and one op that is not an activation.
        let activations: [UnaryOp?] = [nil, .clamp(low: -1, high: 1)]
            + UnaryOp.table.filter { $0.traits.contains(.activation) }.flatMap(\.examples)
        for (m, k, n) in Self.shapes {
            var harness = OpHarness()
            harness.parameters = [Parameter(name: "w", kind: .weight, shape: [k, n], initializer: .zeros),
                                  Parameter(name: "b", kind: .weight, shape: [n], initializer: .zeros)]
            for activation in activations {
                try harness.check("dense.\(activation?.name ?? "linear") m\(m) k\(k) n\(n)", .scaled(1e-5)) { b in
                    let x = try b.input("x", [m, k])
                    b.output("y", try b.add(.dense(activation: activation), [x, try b.parameter("w"), try b.parameter("b")]))
                }
            }
        }
    }

    /// The kernel choice is an optimization: the JIT's own kernels and OpenBLAS agree.
    func testForcedKernelsAgree() throws {
        for (m, k, n) in [(7, 130, 2), (33, 200, 100)] {
            for transposeB in [false, true] {
                var builder = Builder(Program(name: "mm"), parameters: [])
                let x = try builder.input("a", [m, k]), y = try builder.input("b", transposeB ? [n, k] : [k, n])
                builder.output("c", try builder.add(.matmul(transposeA: false, transposeB: transposeB), [x, y]))
                let graph = planMemory(Graph(name: "mm", programs: [builder.program]))
                var random = TestRandom(seed: 5)
                let inputs = ["a": random.floats(m * k), "b": random.floats(k * n)]
                let store = ParameterStore<Float>(graph)
                let outputs = try MatmulKernel.allCases.map { kernel in
                    execute(try JITProgram(graph.programs[0], parameters: store, options: JIT.Options(matmul: kernel)), inputs)["c"]!
                }
                assertClose(outputs[0], outputs[1], tolerance: 1e-5, "m\(m) k\(k) n\(n) tb \(transposeB): JIT kernel vs OpenBLAS")
            }
        }
    }
}
