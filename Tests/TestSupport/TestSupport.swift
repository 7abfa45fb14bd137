import Foundation
import Simulators
import Spec

/// The repository's root, for tests that read specs/, generated/ or shared data.
public let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh empty directory under the system's temporary directory; its path.
public func temporaryDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sbic-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

/// SplitMix64 (Steele, Lea, Flood): a small deterministic generator, so that a failing test
/// draws the same numbers again. The tests need reproducible data, not a particular stream.
public struct TestRandom: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }

    public mutating func floats(_ count: Int, scale: Double = 1) -> [Float] { (0..<count).map { _ in Float(scale * normal()) } }
}

/// The built-in simulators, as `sbic` checks specs against them: the specs of specs/beyond
/// that take their bounds from the task's prior need them.
public let builtInTasks = Simulators.sizes.map(BuiltInTask.init)

/// Central differences (f(x + h·e_k) − f(x − h·e_k)) / 2h for every coordinate k: the numeric
/// gradient that gradient tests hold autodiff's against.
public func centralDifferences(at x: [Double], step h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var point = x
    return x.indices.map { k in
        point[k] = x[k] + h
        let up = f(point)
        point[k] = x[k] - h
        let down = f(point)
        point[k] = x[k]
        return (up - down) / (2 * h)
    }
}
