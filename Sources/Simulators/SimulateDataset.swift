import Datasets
import Dispatch
import Foundation
import Random

/// `count` pairs (θ ~ prior, x ~ simulator(θ)), one row each.
///
/// Simulation i draws from substream i of the seed's "simulate" stream, so the dataset
/// is the same for any `threads`. Workers take chunks of 64 simulations from a shared
/// counter, which balances simulators whose cost varies with θ. Rows with NaN in x (failed
/// ODE solves) are kept; `removingFailedSimulations` drops them as sbibm does. A simulator
/// that returns θ or x of the wrong length gets a NaN row.
public func simulateDataset(_ simulator: any Simulator, count: Int, seed: UInt64,
                            threads: Int = 2) -> (theta: Matrix, y: Matrix) {
    let count = max(count, 0)
    let p = simulator.parameterDimension
    let d = simulator.observationDimension
    var theta = Matrix(rows: count, columns: p)
    var y = Matrix(rows: count, columns: d)
    let root = RandomStream(seed: seed, stream: "simulate")
    let chunks = ChunkCounter(total: count, chunkSize: 64)

    theta.values.withUnsafeMutableBufferPointer { thetaBuffer in
        y.values.withUnsafeMutableBufferPointer { yBuffer in
            let output = Output(theta: thetaBuffer, y: yBuffer)
            // More workers than cores only queue up, and each costs a dispatch.
            let workers = min(max(1, threads), ProcessInfo.processInfo.activeProcessorCount, (count + 63) / 64)
            DispatchQueue.concurrentPerform(iterations: max(1, workers)) { _ in
                while let range = chunks.next() {
                    for i in range {
                        var rng = root.substream(UInt64(i))
                        let parameters = simulator.samplePrior(&rng)
                        let x = simulator.simulate(parameters, &rng)
                        let valid = parameters.count == p && x.count == d
                        for j in 0..<p { output.theta[i * p + j] = valid ? parameters[j] : .nan }
                        for j in 0..<d { output.y[i * d + j] = valid ? x[j] : .nan }
                    }
                }
            }
        }
    }
    return (theta, y)
}

/// The rows whose x and θ are all finite: sbibm drops failed simulations before training.
public func removingFailedSimulations(theta: Matrix, y: Matrix) -> (theta: Matrix, y: Matrix) {
    let kept = (0..<min(theta.rows, y.rows)).filter { row in
        theta.row(row).allSatisfy(\.isFinite) && y.row(row).allSatisfy(\.isFinite)
    }
    return (theta.selectingRows(kept), y.selectingRows(kept))
}

/// Disjoint row ranges of the output buffers; each simulation writes only its own rows.
private struct Output: @unchecked Sendable {
    let theta: UnsafeMutableBufferPointer<Double>
    let y: UnsafeMutableBufferPointer<Double>
}

/// Hands out consecutive ranges of 0..<total to worker threads.
private final class ChunkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var nextStart = 0
    private let total: Int
    private let chunkSize: Int

    init(total: Int, chunkSize: Int) {
        self.total = total
        self.chunkSize = chunkSize
    }

    func next() -> Range<Int>? {
        lock.lock()
        defer { lock.unlock() }
        guard nextStart < total else { return nil }
        let range = nextStart..<min(nextStart + chunkSize, total)
        nextStart = range.upperBound
        return range
    }
}
