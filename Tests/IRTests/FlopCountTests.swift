import IR
import XCTest

final class FlopCountTests: XCTestCase {
    func testConventions() throws {
        let parameters = [Parameter(name: "w", kind: .weight, shape: [4, 3], initializer: .zeros),
                          Parameter(name: "b", kind: .weight, shape: [3], initializer: .zeros)]
        var b = Builder(Program(name: "p"), parameters: parameters)
        let x = try b.input("x", [5, 4])
        let w = try b.parameter("w"), bias = try b.parameter("b")
        let dense = try b.add(.dense(activation: .tanh), [x, w, bias])                   // 2·5·3·4 + 2·15 = 150
        let product = try b.add(.matmul(transposeA: true, transposeB: false), [x, x])   // [4,4], k = 5: 160
        let fused = try b.add(.fused(FusedBody([.init(.unary(.exp), [.operand(0)]),
                                               .init(.binary(.mul), [.result(0), .literal(2)])])), [dense])  // 2·15
        let total = try b.add(.sum(axis: nil), [fused])                                 // 15
        let wide = try b.add(.broadcast(axis: nil, to: [5, 3]), [total])               // 0
        b.output("y", try b.add(.concat, [wide, dense]))                                // 0
        XCTAssertEqual(b.program.flops, 150 + 160 + 30 + 15)
    }

    func testAdamWCountsEveryElementOfEveryGroup() throws {
        let parameters = ["p", "m", "v", "q", "mq", "vq"].map { Parameter(name: $0, kind: .weight, shape: $0.hasSuffix("q") ? [2] : [3, 2], initializer: .zeros) }
            + [Parameter(name: "step", kind: .state, shape: .scalar, initializer: .zeros)]
        var b = Builder(Program(name: "p"), parameters: parameters)
        let g = try b.input("g", [3, 2]), gq = try b.input("gq", [2]), lr = try b.input("lr", .scalar)
        let operands = [try b.parameter("p"), g, try b.parameter("m"), try b.parameter("v"),
                        try b.parameter("q"), gq, try b.parameter("mq"), try b.parameter("vq"),
                        lr, try b.parameter("step"), lr]
        try b.add(.adamw(AdamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0)), operands)
        XCTAssertEqual(b.program.flops, 15 * (6 + 2))
    }
}
