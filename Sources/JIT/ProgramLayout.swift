import IR

/// Where a program's values live at run time: in the program's own memory (the planned arena,
/// then the constants that kernels read from memory, then scratch for kernels) or in the
/// parameter store, each at a constant offset.
struct ProgramLayout {
    enum Location: Equatable {
        /// Offset into the program's memory.
        case memory(Int)
        /// Offset into the parameter store.
        case parameter(Int)
        /// A side effect: no value.
        case none
    }

    let locations: [Location]
    /// Constant nodes and their values, written to program memory once, before the first run.
    let constants: [(offset: Int, value: Float)]
    let scratchOffset: Int
    /// Set once the kernels are known: the most scratch any of them needs.
    var scratchFloats = 0 {
        didSet { precondition(scratchFloats < Int.max / 8 - scratchOffset, "scratch is sized by shapes the layout checked") }
    }
    var totalFloats: Int { scratchOffset + scratchFloats }

    /// Checks what code generation relies on and throws, rather than emit code that would
    /// read or write out of bounds, for a program that is malformed (e.g. a hand-edited .sbig).
    init(_ program: Program, parameterOffsets: [String: Int], parameterCounts: [String: Int]) throws {
        func fail(_ node: Int?, _ message: String) -> JITError {
            JITError("program \(program.name)" + (node.map { ", %\($0)" } ?? "") + ": \(message)")
        }
        guard let plan = program.memory else { throw fail(nil, "has no memory plan (run plan-memory first)") }
        guard plan.offsets.count == program.nodes.count else { throw fail(nil, "the memory plan does not cover every node") }
        guard plan.arenaFloats >= 0, plan.arenaFloats < Int.max / 8 else { throw fail(nil, "arena of \(plan.arenaFloats) floats") }
        var next = Self.roundUp(plan.arenaFloats)
        var locations: [Location] = []
        var constants: [(Int, Float)] = []
        for (i, node) in program.nodes.enumerated() {
            guard node.shape.dims.allSatisfy({ $0 >= 0 }) else { throw fail(i, "negative dimension in \(node.shape)") }
            for o in node.operands {
                guard o >= 0, o < i, program.nodes[o].op.hasResult else { throw fail(i, "operand %\(o) is not an earlier value") }
            }
            switch node.op {
            case .input, .parameter: break
            default:
                let expected: Shape
                do { expected = try node.op.resultShape(node.operands.map { program.nodes[$0].shape }) } catch {
                    throw fail(i, "\(error)")
                }
                guard expected == node.shape else { throw fail(i, "shape \(node.shape), but the op gives \(expected)") }
            }
            switch node.op {
            case .parameter(let name):
                guard let offset = parameterOffsets[name], parameterCounts[name] == node.shape.count else {
                    throw fail(i, "the parameter store has no \(name) of shape \(node.shape)")
                }
                locations.append(.parameter(offset))
            case .constant(let value):
                constants.append((next, value))
                locations.append(.memory(next))
                next += 1
            case .assign, .adamw:
                locations.append(.none)
            default:
                guard let offset = plan.offsets[i], offset >= 0, offset <= plan.arenaFloats,
                      node.shape.count <= plan.arenaFloats - offset else {
                    throw fail(i, "has no place inside the arena")
                }
                locations.append(.memory(offset))
            }
        }
        for output in program.outputs where !(output.node >= 0 && output.node < program.nodes.count && program.nodes[output.node].op.hasResult) {
            throw fail(nil, "output \(output.name) names no value")
        }
        self.locations = locations
        self.constants = constants
        scratchOffset = Self.roundUp(next)
    }

    /// Kernels see 64-byte aligned regions, like the arena's own values.
    private static func roundUp(_ n: Int) -> Int { (n + 15) / 16 * 16 }
}
