import Foundation
import Random
import Simulators
import XCTest

/// Measurements quoted in docs/tasks.md. They run only when asked, in release:
///
///     SBIC_BENCHMARK=1 swift test -c release --filter SimulatorBenchmarks
final class SimulatorBenchmarks: XCTestCase {
    override func setUpWithError() throws {
        guard ProcessInfo.processInfo.environment["SBIC_BENCHMARK"] != nil else {
            throw XCTSkip("set SBIC_BENCHMARK=1 to run")
        }
    }

    /// Seconds for 10,000 simulations (prior draw + simulation) with 1 and 2 threads,
    /// and how many of them failed (NaN).
    func testThroughput() throws {
        print("| simulator | 1 thread (s) | 2 threads (s) | failed |")
        print("|---|---|---|---|")
        for name in Simulators.names {
            let simulator = try Simulators.named(name)
            _ = simulateDataset(simulator, count: 200, seed: 0)  // warm caches and constants
            var seconds: [Double] = []
            var failed = 0
            for threads in [1, 2] {
                let start = Date()
                let data = simulateDataset(simulator, count: 10_000, seed: 1, threads: threads)
                seconds.append(Date().timeIntervalSince(start))
                failed = 10_000 - removingFailedSimulations(theta: data.theta, y: data.y).y.rows
            }
            print(String(format: "| %@ | %.3f | %.3f | %d |", name, seconds[0], seconds[1], failed))
        }
    }

    /// Noise-free Hodgkin–Huxley statistics of 300 prior draws under each discretisation,
    /// against Heun with 32 steps per sample: mean and worst error in units of each
    /// statistic's standard deviation over the prior, and milliseconds per simulation.
    func testHodgkinHuxleyDiscretisation() {
        var rng = RandomStream(seed: 13, stream: "benchmark")
        let thetas = (0..<300).map { _ in HodgkinHuxley().samplePrior(&rng) }
        func run(_ model: HodgkinHuxley) -> (stats: [[Double]], milliseconds: Double) {
            let start = Date()
            let stats = thetas.map { theta -> [Double] in
                var unused = RandomStream(seed: 0, stream: "benchmark")
                return model.simulate(theta, &unused)
            }
            return (stats, Date().timeIntervalSince(start) * 1000 / Double(thetas.count))
        }
        let reference = run(HodgkinHuxley(noise: 0, substeps: 32)).stats
        let spread = (0..<8).map { j -> Double in
            let column = reference.map { $0[j] }
            let mean = column.reduce(0, +) / Double(column.count)
            return (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count)).squareRoot()
        }
        print("spread over the prior: " + spread.map { String(format: "%.3g", $0) }.joined(separator: ", "))
        print("| method | steps/sample | ms/sim | spike counts exact | largest spike error | mean error (max over statistics) | worst error |")
        print("|---|---|---|---|---|---|---|")
        let cases: [(HodgkinHuxley.Integrator, Int)] = [
            (.eulerMaruyama, 1), (.eulerMaruyama, 10), (.eulerMaruyama, 100),
            (.heun, 1), (.heun, 2), (.heun, 4),
        ]
        for (integrator, substeps) in cases {
            let (stats, milliseconds) = run(HodgkinHuxley(noise: 0, integrator: integrator, substeps: substeps))
            var meanError = 0.0
            var worstError = 0.0
            for j in 0..<8 {
                let errors = (0..<thetas.count).map { abs(stats[$0][j] - reference[$0][j]) / spread[j] }
                meanError = max(meanError, errors.reduce(0, +) / Double(errors.count))
                worstError = max(worstError, errors.max() ?? 0)
            }
            let exact = (0..<thetas.count).filter { stats[$0][0] == reference[$0][0] }.count
            let spikeError = (0..<thetas.count).map { abs(stats[$0][0] - reference[$0][0]) }.max() ?? 0
            print(String(format: "| %@ | %d | %.2f | %d/300 | %.0f | %.4f | %.3f |", "\(integrator)", substeps,
                         milliseconds, exact, spikeError, meanError, worstError))
        }
    }
}
