import IR
import XCTest

/// Element-wise ops agree with the interpreter bit for bit, except exp, log, tanh and sigmoid,
/// which the JIT approximates with polynomials (MathAccuracyTests bounds their error).
final class ElementwiseParityTests: XCTestCase {
    static let approximated: Set<String> = ["exp", "log", "tanh", "sigmoid"]

    func testUnaryOps() throws {
        let ops: [UnaryOp] = [.neg, .exp, .log, .sqrt, .square, .tanh, .sigmoid,
                              .leakyReLU(slope: 0.1), .leakyReLU(slope: 0), .clamp(low: -1.5, high: 2)]
        for op in ops {
            // log and sqrt of positive values; exp of values that neither overflow nor vanish.
            var harness = OpHarness()
            harness.values["x"] = { random in
                switch op {
                case .log, .sqrt: return Float(random.uniform() * 10 + 1e-3)
                default: return Float(3 * random.normal())
                }
            }
            for shape in oddShapes {
                try harness.check("\(op.name) \(shape)", Self.approximated.contains(op.name) ? .ulps(4) : .exact) { b in
                    b.output("y", try b.unary(op, try b.input("x", shape)))
                }
            }
        }
    }

    func testBinaryOpsWithScalarsAndConstants() throws {
        let ops: [BinaryOp] = [.add, .sub, .mul, .div, .maximum, .minimum, .leakyReLUGrad(slope: 0.1), .clampGrad(low: -0.5, high: 0.5)]
        for op in ops {
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
        for op in [UnaryOp.neg, .exp, .log, .sqrt, .square, .tanh, .sigmoid, .leakyReLU(slope: 0.1), .clamp(low: -1.5, high: 2)] {
            next = 0
            try harness.check("\(op.name) of special values", Self.approximated.contains(op.name) ? .ulps(4) : .exact) { b in
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
