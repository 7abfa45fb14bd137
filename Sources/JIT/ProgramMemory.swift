import Foundation

/// A program's own memory, laid out by its `ProgramLayout`: the arena, the constants kernels
/// read, then kernel scratch; 64-byte aligned. The code takes its address as an argument, so
/// several copies can share one compiled program.
final class ProgramMemory: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>

    init(_ layout: ProgramLayout, program: String) throws {
        let floats = max(layout.totalFloats, 1)
        var raw: UnsafeMutableRawPointer?
        guard floats <= Int.max / 4, posix_memalign(&raw, 64, floats * 4) == 0, let raw else {
            throw JITError("program \(program): cannot allocate \(floats) floats for its arena")
        }
        base = raw.bindMemory(to: Float.self, capacity: floats)
        base.initialize(repeating: 0, count: floats)
        for (offset, value) in layout.constants { base[offset] = value }
    }

    deinit { free(base) }
}
