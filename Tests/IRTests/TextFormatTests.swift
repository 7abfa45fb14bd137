import XCTest
import IR

final class TextFormatTests: XCTestCase {
    /// A graph that uses every op, every attribute form and a memory plan.
    static func everyOp() throws -> Graph {
        let parameters = [
            Parameter(name: "w", kind: .weight, shape: [3, 4], initializer: .kaimingNormal(fanIn: 3)),
            Parameter(name: "b", kind: .weight, shape: [4], initializer: .glorotUniform(fanIn: 3, fanOut: 4)),
            Parameter(name: "m", kind: .state, shape: [3, 4], initializer: .zeros),
            Parameter(name: "v", kind: .state, shape: [3, 4], initializer: .zeros),
            Parameter(name: "step", kind: .state, shape: .scalar, initializer: .zeros),
        ]
        var b = Builder(Program(name: "p"), parameters: parameters)
        let x = try b.input("x", [2, 3])
        let w = try b.parameter("w"), bias = try b.parameter("b")
        var y = try b.add(.dense(activation: .leakyReLU(slope: 0.1)), [x, w, bias])
        y = try b.add(.dense(activation: nil), [x, w, bias])
        for u in UnaryOp.all { y = try b.unary(u == .clamp(low: 0, high: 0) ? .clamp(low: -20, high: 20) : u, y) }
        for op in BinaryOp.all { y = try b.binary(op, y, b.constant(0.25)) }
        let t = try b.add(.matmul(transposeA: true, transposeB: false), [x, y])
        let u = try b.add(.matmul(transposeA: false, transposeB: true), [y, t])
        let s0 = try b.add(.sum(axis: 0), [u]), s = try b.add(.sum(axis: nil), [u])
        let bb = try b.add(.broadcast(axis: 0, to: [2, 3]), [s0])
        let bs = try b.add(.broadcast(axis: nil, to: [2, 3]), [s])
        let c = try b.add(.concat, [bb, bs])
        let sl = try b.add(.slice(start: 1, count: 4), [c])
        let padded = try b.add(.pad(start: 2, total: 7), [sl])
        let body = FusedBody([.init(.binary(.sub), [.operand(0), .operand(1)]), .init(.unary(.square), [.result(0)]),
                              .init(.binary(.mul), [.result(1), .literal(-1.5e-7)])])
        let f = try b.add(.fused(body), [padded, b.constant(2)])
        let addBias = try b.add(.addBias, [y, bias])
        let step = try b.parameter("step")
        let next = try b.add(step, constant: 1)
        try b.add(.adamw(AdamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01)),
                  [w, t, b.parameter("m"), b.parameter("v"), b.constant(0.001), next, b.constant(1)])
        try b.add(.assign, [step, next])
        b.output("f", f)
        b.output("bias", addBias)
        var program = b.program
        var offset = 0
        program.memory = MemoryPlan(offsets: program.nodes.map { n in
            guard n.needsStorage else { return nil }
            defer { offset += n.shape.count }
            return offset
        }, arenaFloats: 0)
        program.memory!.arenaFloats = offset
        return Graph(name: "every_op", metadata: ["task": "two_moons", "training.learning_rate": "0.0005"],
                     parameters: parameters, programs: [program, Program(name: "empty")])
    }

    func testParseOfPrintIsIdentity() throws {
        let graph = try Self.everyOp()
        try graph.verify(after: "test")
        let text = graph.text
        let parsed = try Graph.parse(text)
        XCTAssertEqual(parsed, graph)
        XCTAssertEqual(parsed.text, text)
        // One op per line, with its shape.
        XCTAssertTrue(text.contains("  %1 = param w : f32[3,4]\n"), text)
        XCTAssertTrue(text.contains("dense.leaky_relu[slope=0.1](%0, %1, %2) : f32[2,4] @"), text)
        XCTAssertTrue(text.contains("fused{sub($0, $1); square(%0); mul(%1, -1.5e-07)}("), text)
    }

    func testPrintingIsDeterministic() throws {
        XCTAssertEqual(try Self.everyOp().text, try Self.everyOp().text)
    }

    func testParseErrorsNameTheLine() {
        func error(_ text: String) -> String {
            do { _ = try Graph.parse(text, file: "g.sbig"); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(error(""), "g.sbig:1: empty file")
        XCTAssertTrue(error("sbig 99\n").contains("g.sbig:1: written in .sbig format 99 by a newer sbic"))
        XCTAssertTrue(error("hello\n").hasPrefix("g.sbig:1: not an .sbig file"))
        XCTAssertTrue(error("sbig 1\ngraph g\nprogram p\n  %0 = input x : f32[2]\n  %1 = frobnicate(%0) : f32[2]\nend\n")
            .hasPrefix("g.sbig:5: unknown op \"frobnicate\""))
        XCTAssertTrue(error("sbig 1\ngraph g\nprogram p\n  %0 = input x : f32[2]\n  %3 = neg(%0) : f32[2]\nend\n")
            .hasPrefix("g.sbig:5: expected %1, found %3"))
        XCTAssertTrue(error("sbig 1\ngraph g\nprogram p\n  %0 = input x : f32[2]\n  %1 = leaky_relu(%0) : f32[2]\nend\n")
            .contains("leaky_relu needs a number slope="))
        XCTAssertTrue(error("sbig 1\ngraph g\nprogram p\n  %0 = input x : f32[2\nend\n").hasPrefix("g.sbig:4:"))
        XCTAssertEqual(error("sbig 1\ngraph g\nprogram p\n  %0 = input x : f32[2]\n\n"), "g.sbig:4: program p has no \"end\"")
        XCTAssertEqual(error("sbig 1\nprogram p\nend\n"), "g.sbig:3: no \"graph NAME\" line")
        // Shapes are checked on load, not trusted.
        XCTAssertTrue(error("sbig 1\ngraph g\nprogram p\n  %0 = input x : f32[2]\n  %1 = neg(%0) : f32[3]\nend\n")
            .contains("shape f32[3], but the op gives f32[2]"))
    }

    func testVerifierNamesThePass() throws {
        var graph = try Self.everyOp()
        graph.programs[0].nodes[5].operands = [99]
        XCTAssertThrowsError(try graph.verify(after: "fuse")) { error in
            XCTAssertTrue("\(error)".hasPrefix("after fuse: program p, %5: operand %99"), "\(error)")
        }
        graph = try Self.everyOp()
        // Two values that are live together may not share arena memory.
        graph.programs[0].memory!.offsets[4] = graph.programs[0].memory!.offsets[0]
        XCTAssertThrowsError(try graph.verify(after: "plan-memory")) { error in
            XCTAssertTrue("\(error)".contains("shares arena memory"), "\(error)")
        }
    }

    func testShapeRules() throws {
        XCTAssertEqual(try Op.matmul(transposeA: true, transposeB: true).resultShape([[5, 3], [4, 5]]), [3, 4])
        XCTAssertThrowsError(try Op.matmul(transposeA: false, transposeB: false).resultShape([[2, 3], [4, 5]])) {
            XCTAssertTrue("\($0)".contains("inner dimensions differ"))
        }
        XCTAssertThrowsError(try Op.binary(.add).resultShape([[2, 3], [3, 2]]))
        XCTAssertEqual(try Op.binary(.add).resultShape([[2, 3], .scalar]), [2, 3])
        XCTAssertEqual(try Op.concat.resultShape([[2, 3], [2, 1]]), [2, 4])
        XCTAssertThrowsError(try Op.slice(start: 2, count: 2).resultShape([[2, 3]]))
        XCTAssertEqual(Shape([1 << 40, 1 << 40]).count, Int.max, "element counts saturate instead of trapping")
    }
}
