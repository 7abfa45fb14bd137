import Interpreter
import IR
import JIT
import Passes
import Runtime
import XCTest

/// Programs the JIT cannot compile are refused with an error, never a crash.
final class JITErrorTests: XCTestCase {
    func planned() throws -> Graph {
        var b = Builder(Program(name: "p"), parameters: [Parameter(name: "w", kind: .weight, shape: [4, 3], initializer: .zeros)])
        b.output("y", try b.add(.matmul(transposeA: false, transposeB: false), [try b.input("x", [2, 4]), try b.parameter("w")]))
        return planMemory(Graph(name: "g", parameters: [Parameter(name: "w", kind: .weight, shape: [4, 3], initializer: .zeros)],
                                programs: [b.program]))
    }

    func assertRefused(_ program: Program, store: ParameterStore<Float>, _ message: String, line: UInt = #line) {
        XCTAssertThrowsError(try JITProgram(program, parameters: store), line: line) { error in
            XCTAssertTrue(error is JITError, "\(error)", line: line)
            XCTAssertTrue("\(error)".contains(message), "\(error) should say \(message)", line: line)
        }
    }

    func testUnplannedProgram() throws {
        let graph = try planned()
        var program = graph.programs[0]
        program.memory = nil
        assertRefused(program, store: ParameterStore(graph), "no memory plan")
    }

    func testValueOutsideTheArena() throws {
        let graph = try planned()
        var program = graph.programs[0]
        program.memory!.offsets[program.output("y")!] = program.memory!.arenaFloats - 1
        assertRefused(program, store: ParameterStore(graph), "inside the arena")
    }

    func testParameterMissingFromTheStore() throws {
        let graph = try planned()
        assertRefused(graph.programs[0], store: ParameterStore(Graph(name: "empty")), "no w")
    }

    func testShapesThatDoNotFollowFromTheOps() throws {
        let graph = try planned()
        var program = graph.programs[0]
        program.nodes[program.output("y")!].shape = [2, 5]
        assertRefused(program, store: ParameterStore(graph), "shape")
    }

    func testOperandDefinedLater() throws {
        let graph = try planned()
        var program = graph.programs[0]
        program.nodes[program.output("y")!].operands[0] = program.nodes.count
        assertRefused(program, store: ParameterStore(graph), "not an earlier value")
    }
}
