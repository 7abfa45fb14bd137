@testable import IR
import TestSupport
import XCTest

/// Reading and verifying a graph is O(n log n) in its nodes: a 10,000-layer network (50,001
/// nodes per program, 20,000 parameters) is printed, parsed and verified here. The parser
/// once copied the program on every line and the verifier compared every pair of placed
/// values and searched the parameter list per node; at this size that took minutes.
final class LargeGraphTests: XCTestCase {
    static let layers = 10_000

    /// x → (matmul, add_bias, leaky_relu) × layers, every value in its own arena slot.
    static func deepGraph() throws -> Graph {
        var parameters: [Parameter] = []
        for l in 0..<layers {
            parameters.append(Parameter(name: "w\(l)", kind: .weight, shape: [4, 4], initializer: .kaimingNormal(fanIn: 4)))
            parameters.append(Parameter(name: "b\(l)", kind: .weight, shape: [4], initializer: .zeros))
        }
        var b = Builder(Program(name: "forward"), parameters: parameters)
        var h = try b.input("x", [8, 4])
        for l in 0..<layers {
            h = try b.unary(.leakyReLU(slope: 0.1), try b.add(.addBias, [try b.add(.matmul(transposeA: false, transposeB: false),
                                                                                    [h, try b.parameter("w\(l)")]), try b.parameter("b\(l)")]))
        }
        b.output("y", h)
        var program = b.program
        var offset = 0
        let offsets: [Int?] = program.nodes.map { node in
            guard node.needsStorage else { return nil }
            defer { offset += node.shape.count }
            return offset
        }
        program.memory = MemoryPlan(offsets: offsets, arenaFloats: offset)
        return Graph(name: "deep", parameters: parameters, programs: [program])
    }

    func testTenThousandLayersParseAndVerify() throws {
        let graph = try Self.deepGraph()
        XCTAssertEqual(graph.programs[0].nodes.count, 1 + 5 * Self.layers)
        let parsed = try Graph.parse(graph.text)
        XCTAssertEqual(parsed, graph)

        // A conflict deep inside is still found: the last layer's output over the first's.
        var broken = graph
        let nodes = broken.programs[0].nodes.count
        broken.programs[0].memory!.offsets[nodes - 1] = broken.programs[0].memory!.offsets[0]
        XCTAssertThrowsError(try Graph.parse(broken.text)) { error in
            XCTAssertTrue("\(error)".contains("%\(nodes - 1): shares arena memory with %0 while both are live"), "\(error)")
        }
    }

    /// The sweep finds exactly the conflicts that comparing every pair finds, on random plans.
    func testSweepAgreesWithEveryPair() throws {
        var random = TestRandom(seed: 7)
        func next(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        var found = 0
        for trial in 0..<400 {
            var b = Builder(Program(name: "p"), parameters: [])
            var values = [try b.input("x", [next(3) + 1])]
            for _ in 0..<(next(12) + 2) {
                let x = values[next(values.count)]
                values.append(try b.unary(.neg, x))
            }
            if next(2) == 0 { b.output("y", values.last!) }
            var program = b.program
            let offsets: [Int?] = program.nodes.map { _ in next(12) }
            program.memory = MemoryPlan(offsets: offsets, arenaFloats: 16)
            let live = program.liveRanges()
            var expected: Int?
            for i in program.nodes.indices where expected == nil {
                for j in 0..<i {
                    let (a, c) = (offsets[i]!, offsets[j]!)
                    if a < c + program.nodes[j].shape.count, c < a + program.nodes[i].shape.count, live[i].overlaps(live[j]) {
                        expected = i
                        break
                    }
                }
            }
            let graph = Graph(name: "g", programs: [program])
            do {
                try graph.verify(after: "test")
                XCTAssertNil(expected, "trial \(trial): a conflict at %\(expected!) was missed")
            } catch {
                XCTAssertNotNil(expected, "trial \(trial): \(error)")
                found += 1
            }
        }
        XCTAssertGreaterThan(found, 50)
        XCTAssertLessThan(found, 350)
    }
}
