import Foundation
import IR

/// The persistent storage of a graph's parameters (weights and optimizer state), shared by all
/// of its programs and back ends: one aligned block, each parameter at a fixed offset.
public final class ParameterStore<T: BinaryFloatingPoint> {
    public let parameters: [Parameter]
    public let offsets: [String: Int]
    public let count: Int
    public let base: UnsafeMutablePointer<T>

    public init(_ graph: Graph) {
        parameters = graph.parameters
        var offsets: [String: Int] = [:]
        var next = 0
        for p in graph.parameters {
            offsets[p.name] = next
            next += (p.shape.count + 15) / 16 * 16
        }
        self.offsets = offsets
        count = max(next, 1)
        // Cache-line aligned: with parameters padded to 16 elements, each then starts a 64-byte
        // line, and a 512-bit load of float weights never straddles two.
        base = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<T>.stride, alignment: 64)
            .bindMemory(to: T.self, capacity: count)
        base.initialize(repeating: 0, count: count)
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }

    public func buffer(_ name: String) -> UnsafeMutableBufferPointer<T> {
        guard let offset = offsets[name], let p = parameters.first(where: { $0.name == name }) else {
            preconditionFailure("no parameter \(name)")
        }
        return UnsafeMutableBufferPointer(start: base + offset, count: p.shape.count)
    }

    public subscript(name: String) -> [T] {
        get { Array(buffer(name)) }
        set {
            let b = buffer(name)
            precondition(newValue.count == b.count, "parameter \(name) holds \(b.count) values, not \(newValue.count)")
            _ = b.update(fromContentsOf: newValue)
        }
    }

    /// Sets every parameter from its initializer; `normal` yields standard normal draws.
    public func initialize(normal: () -> Double) {
        for p in parameters {
            let b = buffer(p.name)
            switch p.initializer {
            case .zeros:
                b.update(repeating: 0)
            case .kaimingNormal(let fanIn):
                let std = (2.0 / Double(fanIn)).squareRoot()
                for i in b.indices { b[i] = T(normal() * std) }
            case let .glorotUniform(fanIn, fanOut):
                // Φ(z) of a standard normal z is uniform on (0, 1).
                let bound = (6.0 / (Double(fanIn) + Double(fanOut))).squareRoot()
                for i in b.indices { b[i] = T(bound * (erfc(-normal() / 2.0.squareRoot()) - 1)) }
            }
        }
    }

    /// Copies every parameter from another store of the same graph (e.g. across precisions).
    public func copy<U: BinaryFloatingPoint>(from other: ParameterStore<U>) {
        for p in parameters {
            let src = other.buffer(p.name), dst = buffer(p.name)
            for i in dst.indices { dst[i] = T(src[i]) }
        }
    }
}
