import Interpreter
import IR
import JIT
import Passes
import Runtime
import TestSupport
import XCTest

/// The fusion pass turns a sum of pads whose ranges tile the last axis (the gradient of a
/// value sliced apart column by column) into one concat. Fused and unfused programs give the
/// same numbers, bit for bit, on both back ends; sums that do not tile the axis are left alone.
final class PadSumFusionTests: XCTestCase {
    /// Σᵢ pad(3 · xᵢ, starts[i], total) for inputs xᵢ of [6, widths[i]], summed in the order given.
    private func summedPads(starts: [Int], widths: [Int], total: Int, alsoOutputFirstPad: Bool = false) throws -> Graph {
        var b = Builder(Program(name: "p"), parameters: [])
        var sum: Int?
        for (i, (start, width)) in zip(starts, widths).enumerated() {
            let x = try b.input("x\(i)", [6, width])
            let padded = try b.add(.pad(start: start, total: total), [try b.mul(x, constant: 3)])
            if i == 0, alsoOutputFirstPad { b.output("first", padded) }
            sum = try sum.map { try b.add($0, padded) } ?? padded
        }
        b.output("y", sum!)
        return Graph(name: "p", programs: [b.program])
    }

    private func count(_ program: Program, _ isOp: (Op) -> Bool) -> Int { program.nodes.filter { isOp($0.op) }.count }
    private func isPad(_ op: Op) -> Bool { if case .pad = op { return true } else { return false } }

    /// Runs `graph` (memory planned here) on one back end.
    private func run(_ graph: Graph, jit: Bool, _ inputs: [String: [Float]]) throws -> [String: [Float]] {
        let planned = planMemory(graph)
        try planned.verify(after: "test")
        let store = ParameterStore<Float>(planned)
        let program = planned.programs[0]
        return execute(jit ? try JITProgram(program, parameters: store) : try InterpretedProgram(program, parameters: store), inputs)
    }

    private func inputs(_ graph: Graph) -> [String: [Float]] {
        var random = TestRandom(seed: 11)
        var values: [String: [Float]] = [:]
        for (name, shape) in graph.programs[0].inputs { values[name] = (0..<shape.count).map { _ in Float(random.normal()) } }
        return values
    }

    func testPadsThatTileTheAxisBecomeOneConcatWithTheSameValues() throws {
        // Widths 2, 1, 2 added out of order: the concat takes them by position.
        let graph = try summedPads(starts: [3, 0, 2], widths: [2, 2, 1], total: 5)
        let (fused, stats) = fuse(graph)
        XCTAssertEqual(stats.padSumsConcatenated, 1)
        XCTAssertEqual(count(fused.programs[0], isPad), 0)
        XCTAssertEqual(count(fused.programs[0]) { $0 == .concat }, 1)
        let x = inputs(graph)
        let want = try run(graph, jit: false, x)
        // The reference, written out: column c of row r is 3 · x_i[r, c − start_i].
        var expected = [Float](repeating: 0, count: 30)
        for (i, (start, width)) in zip([3, 0, 2], [2, 2, 1]).enumerated() {
            for r in 0..<6 { for c in 0..<width { expected[r * 5 + start + c] = 3 * x["x\(i)"]![r * width + c] } }
        }
        assertWithinULPs(want["y"]!, expected, 0, "unfused, interpreter")
        for jit in [false, true] {
            assertWithinULPs(try run(fused, jit: jit, x)["y"]!, expected, 0, "fused, \(jit ? "JIT" : "interpreter")")
        }
    }

    func testAPadReadElsewhereStaysAndTheSumStillBecomesAConcat() throws {
        let graph = try summedPads(starts: [0, 1], widths: [1, 3], total: 4, alsoOutputFirstPad: true)
        let (fused, stats) = fuse(graph)
        XCTAssertEqual(stats.padSumsConcatenated, 1)
        XCTAssertEqual(count(fused.programs[0], isPad), 1)
        let x = inputs(graph)
        let want = try run(graph, jit: false, x)
        for jit in [false, true] {
            let got = try run(fused, jit: jit, x)
            for name in ["y", "first"] { assertWithinULPs(got[name]!, want[name]!, 0, "\(name), \(jit ? "JIT" : "interpreter")") }
        }
    }

    func testSumsThatDoNotTileTheAxisAreLeftAlone() throws {
        for (starts, widths, total) in [([0, 3], [2, 2], 5),      // a gap at column 2
                                        ([0, 1], [2, 2], 3),      // columns 1 overlap
                                        ([0, 0], [2, 2], 2),      // the same range twice
                                        ([0, 2], [2, 2], 5)] {    // column 4 uncovered
            let graph = try summedPads(starts: starts, widths: widths, total: total)
            let (fused, stats) = fuse(graph)
            XCTAssertEqual(stats.padSumsConcatenated, 0, "\(starts) \(widths) of \(total)")
            XCTAssertEqual(count(fused.programs[0], isPad), 2, "\(starts) \(widths) of \(total)")
        }
    }
}
