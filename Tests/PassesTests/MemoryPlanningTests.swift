@testable import IR
@testable import Passes
import Spec
import TestSupport
import XCTest

/// The memory planner finds, for each value in its greedy-by-size order, the lowest offset
/// free during the value's live range in O(log n) merged sets. Here it is held to the planner
/// it replaced, which compared each value with every value placed before it.
final class MemoryPlanningTests: XCTestCase {
    /// The planner before the segment tree, kept as the reference: the conflicts of each value
    /// (placed values live at the same time), sorted by offset, and the first gap among them.
    static func pairwisePlan(_ program: Program) -> MemoryPlan {
        let live = program.liveRanges()
        let buffers = program.nodes.indices
            .filter { program.nodes[$0].needsStorage }
            .map { (node: $0, size: roundUp(program.nodes[$0].shape.count)) }
            .sorted { ($0.size, -$0.node) > ($1.size, -$1.node) }
        var offsets = [Int?](repeating: nil, count: program.nodes.count)
        var placed: [(start: Int, end: Int, node: Int)] = []
        var arena = 0
        for buffer in buffers {
            let conflicts = placed.filter { live[$0.node].overlaps(live[buffer.node]) }.sorted { $0.start < $1.start }
            var offset = 0
            for c in conflicts {
                if c.start >= saturatingAdd(offset, buffer.size) { break }
                offset = max(offset, c.end)
            }
            offsets[buffer.node] = offset
            placed.append((offset, saturatingAdd(offset, buffer.size), buffer.node))
            arena = max(arena, saturatingAdd(offset, buffer.size))
        }
        return MemoryPlan(offsets: offsets, arenaFloats: arena)
    }

    /// A random straight-line program: inputs and constants, then values of random sizes that
    /// read random earlier values, some of them outputs. Shapes need not follow from the ops:
    /// the planner reads only sizes, operands and outputs.
    static func randomProgram(_ next: (Int) -> Int) -> Program {
        var program = Program(name: "p")
        let sizes = [1, 2, 15, 16, 17, 32, 33, 64, 100, 256]
        for _ in 0..<(next(3) + 1) { program.nodes.append(Node(op: .input("x\(program.nodes.count)"), operands: [], shape: [sizes[next(sizes.count)]])) }
        if next(2) == 0 { program.nodes.append(Node(op: .constant(1), operands: [], shape: .scalar)) }
        for _ in 0..<(next(60) + 1) {
            let operands = (0..<(next(3) + 1)).map { _ in
                // Mostly recent values, now and then an old one: short and long live ranges.
                let n = program.nodes.count
                return next(4) == 0 ? next(n) : max(0, n - 1 - next(4))
            }
            program.nodes.append(Node(op: .unary(.neg), operands: operands, shape: [sizes[next(sizes.count)]]))
        }
        for _ in 0..<next(4) {
            program.outputs.append(Output(name: "y\(program.outputs.count)", node: next(program.nodes.count)))
        }
        return program
    }

    /// Every placed value lies in the arena, and no two values live at the same time share a float.
    static func assertValid(_ program: Program, _ plan: MemoryPlan, file: StaticString = #filePath, line: UInt = #line) {
        let live = program.liveRanges()
        let placed = program.nodes.indices.compactMap { i in plan.offsets[i].map { (node: i, start: $0, end: $0 + program.nodes[i].shape.count) } }
        XCTAssertEqual(placed.count, program.nodes.filter(\.needsStorage).count, file: file, line: line)
        for (k, a) in placed.enumerated() {
            XCTAssertTrue(a.start >= 0 && a.end <= plan.arenaFloats && a.start % alignment == 0, "%\(a.node)", file: file, line: line)
            for b in placed[..<k] where live[a.node].overlaps(live[b.node]) {
                XCTAssertTrue(a.end <= b.start || b.end <= a.start, "%\(a.node) and %\(b.node) overlap", file: file, line: line)
            }
        }
    }

    func testSamePlanAsComparingEveryPair() {
        var random = TestRandom(seed: 12)
        func next(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        var reused = 0
        for trial in 0..<2000 {
            let program = Self.randomProgram(next)
            let expected = Self.pairwisePlan(program)
            let planned = plan(program)
            XCTAssertEqual(planned, expected, "trial \(trial)")
            Self.assertValid(program, planned)
            // The plans do reuse memory: the arena is smaller than every value side by side.
            let total = placementOrder(program).reduce(0) { $0 + $1.size }
            if planned.arenaFloats < total { reused += 1 }
        }
        XCTAssertGreaterThan(reused, 1000)
    }

    /// The same on the programs of a real spec, where values are many and sizes repeat.
    func testSamePlanOnACompiledSpec() throws {
        let url = repository.appendingPathComponent("specs/slcp_distractors_cpvae.json")
        let (graph, _) = try Compiler().compile(try ModelSpec.load(path: url.path))
        for program in graph.programs {
            XCTAssertEqual(program.memory, Self.pairwisePlan(program), program.name)
            Self.assertValid(program, program.memory!)
        }
    }

    /// Sizes near Int.max saturate as they did: the planner neither traps nor wraps around.
    func testHugeSizesSaturate() {
        var program = Program(name: "p")
        program.nodes.append(Node(op: .input("x"), operands: [], shape: [Int.max - 3]))
        program.nodes.append(Node(op: .unary(.neg), operands: [0], shape: [Int.max / 2]))
        program.nodes.append(Node(op: .unary(.neg), operands: [1], shape: [8]))
        program.outputs = [Output(name: "y", node: 2)]
        XCTAssertEqual(plan(program), Self.pairwisePlan(program))
        XCTAssertEqual(plan(program).arenaFloats, Int.max)
    }
}
