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

/// The values that need storage, largest first (at one size, in program order), each
/// rounded up to the alignment: the order in which the planner places them.
func placementOrder(_ program: Program) -> [(node: Int, size: Int)] {
    program.nodes.indices
        .filter { program.nodes[$0].needsStorage }
        .map { (node: $0, size: roundUp(program.nodes[$0].shape.count)) }
        .sorted { ($0.size, -$0.node) > ($1.size, -$1.node) }
}

/// Each value goes at the lowest offset where it overlaps no value placed before it that is live
/// at the same time. A training program keeps most of its forward values live into the backward
/// pass, so the values that conflict with one number in the order of the program's length:
/// comparing each with all of them took minutes for 10,000 layers. Instead a segment tree over
/// arena offsets records when the values placed in each range of offsets are live
/// (`Occupancy`), and the lowest fit is found by walking the arena from offset 0, a range at a
/// time: a range that is free, or wholly taken at one moment, is passed in one step. On the
/// programs sbic compiles that is O(n log n) (docs/reliability.md has the times); memory pieced
/// together from values live at different moments is walked value by value.
func plan(_ program: Program) -> MemoryPlan {
    let live = program.liveRanges()
    let order = placementOrder(program)
    var offsets = [Int?](repeating: nil, count: program.nodes.count)
    var taken = Occupancy(floats: order.reduce(0) { saturatingAdd($0, $1.size) })
    var arena = 0
    for buffer in order {
        let range = live[buffer.node]
        let offset = taken.lowestFit(size: buffer.size, during: range)
        let end = saturatingAdd(offset, buffer.size)
        offsets[buffer.node] = offset
        taken.insert(offset..<end, during: range)
        arena = max(arena, end)
    }
    return MemoryPlan(offsets: offsets, arenaFloats: arena)
}

func roundUp(_ n: Int) -> Int {
    n > Int.max - alignment ? Int.max : (n + alignment - 1) / alignment * alignment
}

/// When the values placed in the arena are live. A segment tree over offsets, its nodes made as
/// values reach them; each node keeps, as merged intervals of program positions, when some value
/// over part of its offsets is live (`within`), and when all of its offsets are taken at once
/// (`full`: by one value over the node, recorded at the O(log n) nodes that tile the value's
/// offsets, or by both halves at the same moment). During a live range, a node is free if
/// `within` misses it, and taken whole if its `full` meets it.
struct Occupancy {
    private let floats: Int
    private var left: [Int] = [-1]
    private var right: [Int] = [-1]
    private var within: [IntervalSet] = [IntervalSet()]
    private var full: [IntervalSet] = [IntervalSet()]

    /// A tree over `floats` offsets at least, rounded up so that nodes split at multiples of the
    /// alignment, as every offset and size is (but a size that saturated).
    init(floats: Int) {
        var n = alignment
        while n < floats, n <= Int.max / 4 { n *= 2 }
        self.floats = n < floats ? Int.max : n
    }

    mutating func insert(_ memory: Range<Int>, during range: ClosedRange<Int>) {
        guard !memory.isEmpty else { return }
        insert(memory, range.lowerBound..<(range.upperBound + 1), node: 0, 0..<floats)
    }

    private mutating func insert(_ memory: Range<Int>, _ time: Range<Int>, node: Int, _ span: Range<Int>) {
        within[node].insert(time)
        if memory.lowerBound <= span.lowerBound, span.upperBound <= memory.upperBound {
            full[node].insert(time)
            return
        }
        let mid = span.lowerBound + (span.upperBound - span.lowerBound) / 2
        if memory.lowerBound < mid { insert(memory, time, node: child(of: node, left: true), span.lowerBound..<mid) }
        if memory.upperBound > mid { insert(memory, time, node: child(of: node, left: false), mid..<span.upperBound) }
        // Both halves may now be taken at once during part of `time`: only there can the
        // node's `full` grow.
        if left[node] >= 0, right[node] >= 0 {
            for piece in full[left[node]].intersection(full[right[node]], within: time) { full[node].insert(piece) }
        }
    }

    private mutating func child(of node: Int, left isLeft: Bool) -> Int {
        if (isLeft ? left[node] : right[node]) < 0 {
            if isLeft { left[node] = left.count } else { right[node] = left.count }
            left.append(-1); right.append(-1); within.append(IntervalSet()); full.append(IntervalSet())
        }
        return isLeft ? left[node] : right[node]
    }

    /// The lowest offset where `size` floats are free throughout `range`: the start of the first
    /// free stretch that long, found left to right; past the tree everything is free.
    func lowestFit(size: Int, during range: ClosedRange<Int>) -> Int {
        guard size > 0 else { return 0 }
        var start = 0
        let time = range.lowerBound..<(range.upperBound + 1)
        return search(size, time, node: 0, 0..<floats, &start) ?? start
    }

    /// Walks `span` left to right with `start` the beginning of the free stretch so far.
    private func search(_ size: Int, _ time: Range<Int>, node: Int, _ span: Range<Int>, _ start: inout Int) -> Int? {
        if node < 0 || !within[node].overlaps(time) {
            return span.upperBound - start >= size ? start : nil
        }
        if full[node].overlaps(time) {
            start = span.upperBound
            return nil
        }
        let mid = span.lowerBound + (span.upperBound - span.lowerBound) / 2
        return search(size, time, node: left[node], span.lowerBound..<mid, &start)
            ?? search(size, time, node: right[node], mid..<span.upperBound, &start)
    }
}

/// Disjoint, non-adjacent half-open intervals in increasing order; inserting merges.
struct IntervalSet {
    private var starts: [Int] = []
    private var ends: [Int] = []

    /// The intervals common to both, inside `r`.
    func intersection(_ other: IntervalSet, within r: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var i = firstIndex(ends) { $0 > r.lowerBound }, j = other.firstIndex(other.ends) { $0 > r.lowerBound }
        while i < starts.count, j < other.starts.count, starts[i] < r.upperBound, other.starts[j] < r.upperBound {
            let lo = max(starts[i], other.starts[j], r.lowerBound), hi = min(ends[i], other.ends[j], r.upperBound)
            if lo < hi { result.append(lo..<hi) }
            if ends[i] < other.ends[j] { i += 1 } else { j += 1 }
        }
        return result
    }

    func overlaps(_ r: Range<Int>) -> Bool {
        let k = firstIndex(ends) { $0 > r.lowerBound }
        return k < ends.count && starts[k] < r.upperBound
    }

    mutating func insert(_ r: Range<Int>) {
        // Intervals that overlap or touch r: from the first ending at or after its start to
        // the last starting at or before its end.
        let i = firstIndex(ends) { $0 >= r.lowerBound }
        let j = firstIndex(starts) { $0 > r.upperBound }
        if i == j {
            starts.insert(r.lowerBound, at: i)
            ends.insert(r.upperBound, at: i)
        } else {
            starts[i] = min(starts[i], r.lowerBound)
            ends[i] = max(ends[j - 1], r.upperBound)
            starts.removeSubrange((i + 1)..<j)
            ends.removeSubrange((i + 1)..<j)
        }
    }

    /// The first index of increasing `values` where `isAbove` holds (binary search).
    private func firstIndex(_ values: [Int], where isAbove: (Int) -> Bool) -> Int {
        var lo = 0, hi = values.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isAbove(values[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
