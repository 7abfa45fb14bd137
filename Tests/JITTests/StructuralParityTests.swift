import IR
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

    /// AdamW is the same arithmetic in the same order in both back ends (and libm's expf for
    /// the bias corrections), so the updates agree to the bit.
    func testAdamWMatchesToTheBit() throws {
        let sizes: [Shape] = [[3, 5], [130], [1], [33, 200]]
        var harness = OpHarness()
        harness.parameters = sizes.enumerated().flatMap { i, shape in
            ["p", "m", "v"].map { Parameter(name: "\($0)\(i)", kind: .weight, shape: shape, initializer: .zeros) }
        } + [Parameter(name: "step", kind: .state, shape: .scalar, initializer: .zeros)]
        for i in sizes.indices { harness.values["v\(i)"] = { Float($0.uniform()) } }  // second moments are non-negative
        harness.values["step"] = { Float(1 + Int($0.uniform() * 5)) }
        harness.values["lr"] = { _ in 1e-3 }
        harness.values["scale"] = { Float(0.5 + $0.uniform()) }
        try harness.check("adamw", .exact) { b in
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
