import Runtime
import TestSupport
import XCTest
import IR
import Passes
import Interpreter

/// Every differentiable op's vector–Jacobian product against central finite differences,
/// in float64: loss = Σ r ⊙ op(p₀, p₁, …) for a fixed random r, differentiated with respect
/// to every operand, each operand a parameter.
final class GradientTests: XCTestCase {
    struct Case {
        var op: Op
        var shapes: [Shape]
        /// Operand values are drawn from this range (kept away from kinks and poles).
        var range: ClosedRange<Double> = -1.5...1.5
        var name: String { op.name + shapes.map(\.description).joined() }
    }

    static var cases: [Case] {
        var cases: [Case] = []
        let m: Shape = [3, 4]
        // Every element-wise row of the op table with a derivative, over its own domain.
        for row in UnaryOp.table where row.derivative != nil {
            for u in row.examples { cases.append(Case(op: .unary(u), shapes: [m], range: row.domain)) }
        }
        for row in BinaryOp.table where row.derivative != nil {
            for b in row.examples {
                for shapes in [[m, m], [m, .scalar], [.scalar, m]] { cases.append(Case(op: .binary(b), shapes: shapes, range: row.domain)) }
            }
        }
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            cases.append(Case(op: .matmul(transposeA: ta, transposeB: tb), shapes: [ta ? [5, 3] : [3, 5], tb ? [4, 5] : [5, 4]]))
        }
        cases.append(Case(op: .addBias, shapes: [m, [4]]))
        cases.append(Case(op: .sum(axis: 0), shapes: [m]))
        cases.append(Case(op: .sum(axis: 1), shapes: [m]))
        cases.append(Case(op: .sum(axis: nil), shapes: [m]))
        cases.append(Case(op: .logSumExp, shapes: [m]))
        cases.append(Case(op: .logSumExp, shapes: [[5]]))
        cases.append(Case(op: .logSumExp, shapes: [[2, 1]]))
        cases.append(Case(op: .broadcast(axis: 0, to: m), shapes: [[4]]))
        cases.append(Case(op: .broadcast(axis: 1, to: m), shapes: [[3]]))
        cases.append(Case(op: .broadcast(axis: nil, to: m), shapes: [.scalar]))
        cases.append(Case(op: .concat, shapes: [[3, 2], [3, 1], [3, 3]]))
        cases.append(Case(op: .slice(start: 1, count: 2), shapes: [m]))
        cases.append(Case(op: .pad(start: 1, total: 6), shapes: [m]))
        return cases
    }

    func testEveryDifferentiableOpAgainstFiniteDifferences() throws {
        // Seeded, so that a failure can be reproduced.
        var generator = TestRandom(seed: 20_240_611)
        var covered = Set<String>()
        for c in Self.cases {
            covered.insert(c.op.name)
            let (graph, resultShape) = try Self.graph(for: c)
            let weights = graph.parameters.filter { $0.kind == .weight }
            let r = (0..<resultShape.count).map { _ in Double.random(in: -1...1, using: &generator) }
            let compiled = planMemory(eliminateDeadCode(try differentiate(graph, programs: ["gradients"])))
            try compiled.verify(after: "test")
            let store = ParameterStore<Double>(compiled)
            for w in weights { store[w.name] = (0..<w.shape.count).map { _ in Double.random(in: c.range, using: &generator) } }
            let run = try InterpretedProgram(compiled.program("gradients")!, parameters: store)
            let outputs = run.run(["r": r])

            for w in weights {
                let analytic = outputs["grad." + w.name]!
                let original = store[w.name]
                let numeric = centralDifferences(at: original) { values in
                    store[w.name] = values
                    return run.run(["r": r])["loss"]![0]
                }
                store[w.name] = original
                for k in numeric.indices {
                    XCTAssertEqual(analytic[k], numeric[k], accuracy: 1e-6 * max(1, abs(numeric[k])),
                                   "\(c.name): d loss / d \(w.name)[\(k)]")
                }
            }
        }
        // Every differentiable op of the table is covered: a new row with a derivative is checked
        // by the loop above, a new structural op needs a case here.
        let differentiable = Op.table.filter { $0.traits.contains(.differentiable) }.map(\.name)
        XCTAssertEqual(Set(differentiable).subtracting(covered), [])
        XCTAssertTrue(covered.contains("softplus"))
    }

    /// Every element-wise row without a derivative is refused by autodiff, by name.
    func testOpsWithoutDerivativeAreRefused() throws {
        for row in BinaryOp.table where row.derivative == nil {
            for op in row.examples { try assertRefused(op) }
        }
    }

    private func assertRefused(_ op: BinaryOp) throws {
        let g = Graph(name: "t", parameters: [Parameter(name: "a", kind: .weight, shape: [2], initializer: .zeros)],
                      programs: [Program(name: "gradients")])
        var b = Builder(g.programs[0], parameters: g.parameters)
        let a = try b.parameter("a")
        let y = try b.binary(op, a, b.constant(0))
        b.output("loss", try b.add(.sum(axis: nil), [y]))
        var graph = g
        graph.programs = [b.program]
        XCTAssertThrowsError(try differentiate(graph, programs: ["gradients"])) { error in
            XCTAssertTrue("\(error)".contains("\(op.name) is not differentiable"), "\(error)")
        }
    }

    /// loss = Σ r ⊙ op(p0, p1, …)
    static func graph(for c: Case) throws -> (Graph, Shape) {
        let parameters = c.shapes.enumerated().map { Parameter(name: "p\($0.offset)", kind: .weight, shape: $0.element, initializer: .zeros) }
        var b = Builder(Program(name: "gradients"), parameters: parameters)
        let operands = try parameters.map { try b.parameter($0.name) }
        let y = try b.add(c.op, operands)
        let r = try b.input("r", b.shape(y))
        b.output("loss", try b.add(.sum(axis: nil), [b.mul(y, r)]))
        return (Graph(name: "t", parameters: parameters, programs: [b.program]), b.shape(y))
    }
}
