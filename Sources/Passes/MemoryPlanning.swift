import IR

/// Places every value of every program in one arena, reusing memory between values whose live
/// ranges do not overlap. Greedy by size (largest first, lowest free offset), the strategy of
/// TensorFlow Lite's arena planner: near-optimal for the short straight-line programs here.
public func planMemory(_ graph: Graph) -> Graph {
    graph.mapPrograms { program in
        var p = program
        p.memory = plan(program)
        return p
    }
}

/// Values start on 64-byte boundaries so that 512-bit vector loads stay aligned.
let alignment = 16

private func plan(_ program: Program) -> MemoryPlan {
    let live = program.liveRanges()
    let buffers = program.nodes.indices
        .filter { program.nodes[$0].needsStorage }
        .map { (node: $0, size: roundUp(program.nodes[$0].shape.count)) }
        .sorted { ($0.size, -$0.node) > ($1.size, -$1.node) }

    var offsets = [Int?](repeating: nil, count: program.nodes.count)
    var placed: [(start: Int, end: Int, node: Int)] = []
    var arena = 0
    for buffer in buffers {
        // The lowest gap among the placed buffers that are live at the same time.
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

private func roundUp(_ n: Int) -> Int {
    n > Int.max - alignment ? Int.max : (n + alignment - 1) / alignment * alignment
}
