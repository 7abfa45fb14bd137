import IR
import XCTest

/// Every element-wise row of the op table agrees with the interpreter: bit for bit where the
/// row is cheap, within a few units in the last place where the JIT approximates exp, log or
/// tanh with polynomials (MathAccuracyTests bounds those against float64).
final class ElementwiseParityTests: XCTestCase {
    static func tolerance(_ traits: OpTraits) -> OpHarness.Tolerance { traits.contains(.cheap) ? .exact : .ulps(4) }

    func testUnaryOps() throws {
        for row in UnaryOp.table {
            for op in row.examples {
                // Operands from the row's domain, where the op is finite.
                var harness = OpHarness()
                harness.values["x"] = { random in Float(row.domain.lowerBound + random.uniform() * (row.domain.upperBound - row.domain.lowerBound)) }
                for shape in oddShapes {
                    try harness.check("\(op.name) \(shape)", Self.tolerance(row.traits)) { b in
                        b.output("y", try b.unary(op, try b.input("x", shape)))
                    }
                }
            }
        }
    }

    func testBinaryOpsWithScalarsAndConstants() throws {
        for op in BinaryOp.table.flatMap(\.examples) {
            for shape in oddShapes {
                // Both operands tensors, either one a scalar, and either one a constant (baked into the code).
                let pairs: [(String, Shape?, Shape?)] = [("tensor, tensor", shape, shape), ("tensor, scalar", shape, .scalar),
                                                        ("scalar, tensor", .scalar, shape), ("tensor, constant", shape, nil),
                                                        ("constant, tensor", nil, shape)]
                for (kind, first, second) in pairs {
                    try OpHarness().check("\(op.name) \(shape) \(kind)", .exact) { b in
                        let x = try first.map { try b.input("a", $0) } ?? b.constant(0.25)
                        let y = try second.map { try b.input("b", $0) } ?? b.constant(-0.75)
                        b.output("y", try b.binary(op, x, y))
                    }
                }
            }
        }
    }

    /// Edge values go through every op as the interpreter takes them: NaN, infinities, zeros of
    /// both signs, subnormals, the largest floats, and values where clamp and leaky_relu switch.
    func testSpecialValues() throws {
        let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                 .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                 1, -1, 0.5, -1.5, 2, 88.7, 89, -87.4, -103.9, -104.5, 20, -20, 1e-30, 3e38]
        var harness = OpHarness()
        var next = 0
        harness.values["x"] = { _ in defer { next += 1 }; return specials[next % specials.count] }
        for row in UnaryOp.table {
            let op = row.examples[0]
            next = 0
            try harness.check("\(op.name) of special values", Self.tolerance(row.traits)) { b in
                b.output("y", try b.unary(op, try b.input("x", [specials.count])))
            }
        }
    }

    func testFusedBodies() throws {
        typealias I = FusedBody.Instruction
        let bodies: [(String, FusedBody, Int)] = [
            ("sampling", FusedBody([I(.unary(.clamp(low: -20, high: 20)), [.operand(0)]), I(.binary(.mul), [.result(0), .literal(0.5)]),
                                    I(.unary(.exp), [.result(1)]), I(.binary(.mul), [.result(2), .operand(1)]),
                                    I(.binary(.add), [.operand(2), .result(3)])]), 3),
            ("kl", FusedBody([I(.unary(.exp), [.operand(0)]), I(.binary(.sub), [.operand(1), .operand(2)]), I(.unary(.square), [.result(1)]),
                              I(.binary(.add), [.result(0), .result(2)]), I(.unary(.neg), [.operand(3)]), I(.unary(.exp), [.result(4)]),
                              I(.binary(.mul), [.result(3), .result(5)]), I(.binary(.add), [.result(6), .literal(-1)])]), 4),
            ("gradient", FusedBody([I(.binary(.add), [.operand(0), .operand(1)]),
                                    I(.binary(.leakyReLUGrad(slope: 0.1)), [.operand(2), .result(0)])]), 3),
            ("literal first", FusedBody([I(.binary(.div), [.literal(3), .operand(0)]), I(.binary(.minimum), [.result(0), .literal(1)]),
                                         I(.unary(.tanh), [.result(1)]), I(.unary(.sigmoid), [.result(2)])]), 1),
        ]
        for (name, body, operands) in bodies {
            for shape in oddShapes {
                // The last operand a scalar, as clipping factors and loss weights are.
                for scalarLast in [false, true] where operands > 1 || !scalarLast {
                    try OpHarness().check("fused \(name) \(shape) scalar last: \(scalarLast)", .scaled(1e-6)) { b in
                        let xs = try (0..<operands).map { k in
                            try b.input("x\(k)", scalarLast && k == operands - 1 ? .scalar : shape)
                        }
                        b.output("y", try b.add(.fused(body), xs))
                    }
                }
            }
        }
    }
}
