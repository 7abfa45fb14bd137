import IR
@testable import JIT
import Passes
import Runtime
import TestSupport
import XCTest

/// Reductions, broadcasts, data movement and the ops that write parameters.
final class StructuralParityTests: XCTestCase {
    func testSumAlongEveryAxisAndAll() throws {
        for shape in oddShapes + [[2, 3, 4], [5, 1, 33], [300]] {
            for axis in [nil] + Array(0..<shape.rank) {
                try OpHarness().check("sum axis \(axis.map(String.init) ?? "all") of \(shape)", .scaled(1e-6)) { b in
                    b.output("y", try b.add(.sum(axis: axis), [try b.input("x", shape)]))
                }
            }
        }
    }

    /// A sum of squares that nothing else reads, right after its square, is one kernel that
    /// squares as it sums (gradient clipping's global norm), and the square gets no code. The
    /// squared values here are computed by kernels (as gradients are), and the program also
    /// has the pattern with the square an output, and with another op between square and sum,
    /// neither of which is fused: all agree with the interpreter within the tolerance of sums,
    /// and the fused sum with the unfused one to the bit.
    func testSumOfSquaresFusedAndNot() throws {
        for shape in oddShapes + [[300], [128, 128]] {
            func build(_ b: inout Builder) throws {
                let x = try b.unary(.exp, try b.input("x", shape))
                b.output("fused", try b.add(.sum(axis: nil), [try b.unary(.square, x)]))
                let square = try b.unary(.square, x)
                b.output("square", square)
                b.output("unfused", try b.add(.sum(axis: nil), [square]))
                let apart = try b.unary(.square, x)
                b.output("between", try b.unary(.neg, x))
                b.output("apart", try b.add(.sum(axis: nil), [apart]))
                b.output("x", x)
            }
            try OpHarness().check("sum of squares of \(shape)", .scaled(1e-6), build)
            var b = Builder(Program(name: "p"), parameters: [])
            try build(&b)
            let graph = planMemory(Graph(name: "p", parameters: [], programs: [b.program]))
            XCTAssertEqual(ProgramPlan.squaresSummed(graph.programs[0]).count, 1, "\(shape)")
            var random = TestRandom(seed: 5)
            let got = execute(try JITProgram(graph.programs[0], parameters: ParameterStore<Float>(graph)),
                              ["x": random.floats(shape.count)])
            XCTAssertEqual(got["fused"]!.map(\.bitPattern), got["unfused"]!.map(\.bitPattern), "\(shape)")
        }
    }

    /// Row-wise log-sum-exp: within a few float ulps of the interpreter's (the JIT's exp and log
    /// are polynomials, and it sums 16 lanes at a time), including rows whose entries are far
    /// apart or large, where a formula without the shift by the maximum would overflow.
    func testLogSumExpAgreesOnEveryRowLength() throws {
        for shape in oddShapes + [[5, 1], [3, 40], [300]] where shape.rank > 0 && shape.dims.last! > 0 {
            try OpHarness().check("logsumexp of \(shape)", .scaled(1e-6)) { b in
                b.output("y", try b.add(.logSumExp, [try b.input("x", shape)]))
            }
            var spread = OpHarness()
            spread.values["x"] = { Float($0.normal() * 60) }
            try spread.check("logsumexp of \(shape), entries up to ±200", .scaled(1e-6)) { b in
                b.output("y", try b.add(.logSumExp, [try b.input("x", shape)]))
            }
        }
    }

    func testBroadcastIsExact() throws {
        for shape in oddShapes + [[2, 3, 4], [5, 1, 33]] where shape.rank > 0 {
            for axis in 0..<shape.rank {
                try OpHarness().check("broadcast to \(shape) along \(axis)", .exact) { b in
                    b.output("y", try b.add(.broadcast(axis: axis, to: shape), [try b.input("x", shape.removing(axis: axis))]))
                }
            }
            try OpHarness().check("broadcast scalar to \(shape)", .exact) { b in
                b.output("y", try b.add(.broadcast(axis: nil, to: shape), [try b.input("x", .scalar)]))
            }
        }
    }

    func testConcatSliceAndPadAreExact() throws {
        for rows in [1, 7, 33] {
            try OpHarness().check("concat of \(rows) rows", .exact) { b in
                let parts = try [2, 17, 5, 40].enumerated().map { try b.input("x\($0)", [rows, $1]) }
                b.output("y", try b.add(.concat, parts))
            }
            for (start, count) in [(0, 2), (3, 17), (20, 44)] {
                try OpHarness().check("slice [\(start), \(start + count)) of \(rows) rows", .exact) { b in
                    b.output("y", try b.add(.slice(start: start, count: count), [try b.input("x", [rows, 64])]))
                }
                try OpHarness().check("pad \(count) columns at \(start) of \(rows) rows", .exact) { b in
                    b.output("y", try b.add(.pad(start: start, total: 70), [try b.input("x", [rows, count])]))
                }
            }
        }
    }

    func testAddBiasIsExact() throws {
        for (m, n) in [(3, 5), (7, 130), (33, 200), (1, 1)] {
            try OpHarness().check("add_bias [\(m), \(n)]", .exact) { b in
                b.output("y", try b.add(.addBias, [try b.input("x", [m, n]), try b.input("b", [n])]))
            }
        }
    }

    func testAssignWritesTheParameter() throws {
        var harness = OpHarness()
        harness.parameters = [Parameter(name: "p", kind: .state, shape: [7, 130], initializer: .zeros),
                              Parameter(name: "s", kind: .state, shape: .scalar, initializer: .zeros)]
        try harness.check("assign", .exact) { b in
            let p = try b.parameter("p"), s = try b.parameter("s")
            let x = try b.input("x", [7, 130])
            try b.add(.assign, [p, x])
            try b.add(.assign, [s, try b.constant(3)])
            b.output("x", x)
        }
    }

    /// The moments are the same arithmetic in the same order in both back ends (and libm's expf
    /// for the bias corrections), so they agree to the bit; the JIT multiplies by 1/√c₂ where
    /// the interpreter divides by √c₂, so the weights agree to within rounding of the update
    /// (lr = 10⁻³ here; 10⁻⁶ of the weights' scale allows a few ulp of the weights, while a
    /// bias correction or step size off by 1 % moves them by 10⁻⁵).
    func testAdamWMatchesTheInterpreter() throws {
        let sizes: [Shape] = [[3, 5], [130], [1], [33, 200]]
        var harness = OpHarness()
        harness.parameters = sizes.enumerated().flatMap { i, shape in
            ["p", "m", "v"].map { Parameter(name: "\($0)\(i)", kind: .weight, shape: shape, initializer: .zeros) }
        } + [Parameter(name: "step", kind: .state, shape: .scalar, initializer: .zeros)]
        for i in sizes.indices { harness.values["v\(i)"] = { Float($0.uniform()) } }  // second moments are non-negative
        harness.values["step"] = { Float(1 + Int($0.uniform() * 5)) }
        harness.values["lr"] = { _ in 1e-3 }
        harness.values["scale"] = { Float(0.5 + $0.uniform()) }
        for (tolerance, moments) in [(OpHarness.Tolerance.exact, true), (.scaled(1e-6), false)] {
            harness.compared = { name in name.hasPrefix("m") || name.hasPrefix("v") ? moments : !moments }
            try harness.check("adamw", tolerance) { b in
                var operands: [Int] = []
                for (i, shape) in sizes.enumerated() {
                    operands += [try b.parameter("p\(i)"), try b.input("g\(i)", shape), try b.parameter("m\(i)"), try b.parameter("v\(i)")]
                }
                operands += [try b.input("lr", .scalar), try b.parameter("step"), try b.input("scale", .scalar)]
                try b.add(.adamw(AdamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01)), operands)
                b.output("lr", operands[operands.count - 3])
            }
        }
    }
}
