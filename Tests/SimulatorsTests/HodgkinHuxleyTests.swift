import Foundation
import Random
import Simulators
import XCTest

final class HodgkinHuxleyTests: XCTestCase {
    /// The prior's midpoint: C_m 1.5, g_Na 90, g_K 20, g_L 0.3, E_Na 55, E_K −80, E_L −75.
    private let midpoint = [1.5, 90, 20, 0.3, 55, -80, -75]
    private let count = HodgkinHuxley.sampleCount

    /// A flat trace at −70 mV with a spike shape (two 30 mV rises, then a slow fall)
    /// starting at each of the given samples.
    private func syntheticTrace(spikesAt starts: [Int]) -> [Double] {
        var v = [Double](repeating: -70, count: count)
        for start in starts {
            let shape: [Double] = [-40, -10, -20, -30, -40, -50, -60, -70]
            for (offset, value) in shape.enumerated() { v[start + offset] = value }
        }
        return v
    }

    func testSpikeCounterOnSyntheticTraces() {
        XCTAssertEqual(HodgkinHuxley.spikeCount(syntheticTrace(spikesAt: [])), 0)
        XCTAssertEqual(HodgkinHuxley.spikeCount(syntheticTrace(spikesAt: [1500])), 1)
        XCTAssertEqual(HodgkinHuxley.spikeCount(syntheticTrace(spikesAt: [1300, 1800, 2400, 3000])), 4)
        // Two spikes within one 20-sample window merge into one.
        XCTAssertEqual(HodgkinHuxley.spikeCount(syntheticTrace(spikesAt: [1500, 1510])), 1)
        // One rise alone is not a spike: the window must hold more than one.
        var single = [Double](repeating: -70, count: count)
        for i in 2000..<count { single[i] = -30 }
        XCTAssertEqual(HodgkinHuxley.spikeCount(single), 0)
        // A spike whose window is still open at the end of the trace is not counted.
        XCTAssertEqual(HodgkinHuxley.spikeCount(syntheticTrace(spikesAt: [count - 9])), 0)
    }

    /// On a pure sine in the stimulus window the moments are A²/2, 0 and 1.5; at rest the
    /// mean and standard deviation of a constant are the constant and 0.
    func testMomentsOnSyntheticTrace() {
        let interval = HodgkinHuxley.duration / Double(count - 1)
        let amplitude = 8.0
        let v = (0..<count).map { i -> Double in
            let t = Double(i) * interval
            // 50 full periods of 2 ms in (50, 150).
            return t > 50 && t < 150 ? -60 + amplitude * sin(2 * Double.pi * (t - 50) / 2) : -70
        }
        let s = HodgkinHuxley.summaryStatistics(voltage: v, energy: -3)
        XCTAssertEqual(s[1], -70)
        XCTAssertEqual(s[2], 0)
        XCTAssertEqual(s[3], -60, accuracy: 0.01)
        XCTAssertEqual(s[4], amplitude * amplitude / 2, accuracy: 0.05)
        XCTAssertEqual(s[5], 0, accuracy: 0.01)
        XCTAssertEqual(s[6], 1.5, accuracy: 0.01)
        XCTAssertEqual(s[7], -3)
        XCTAssert(HodgkinHuxley.summaryStatistics(voltage: [1, 2], energy: 0).allSatisfy(\.isNaN))
    }

    /// Noise-free, the neuron settles to a resting potential before the stimulus (V barely
    /// moves over 40–50 ms), fires repeatedly during it, and the sodium charge is negative
    /// (inward current, since V < E_Na).
    func testNoiseFreeDynamics() {
        var rng = RandomStream(seed: 1, stream: "test")
        let (v, energy) = HodgkinHuxley(noise: 0).trace(midpoint, &rng)
        let interval = HodgkinHuxley.duration / Double(count - 1)
        let at = { (t: Double) in v[Int((t / interval).rounded())] }
        XCTAssertEqual(at(40), at(49.9), accuracy: 0.05)
        let s = HodgkinHuxley.summaryStatistics(voltage: v, energy: energy)
        XCTAssertGreaterThan(s[0], 3)
        XCTAssertLessThan(energy, 0)
        // The resting mean and standard deviation (over n) of V before the stimulus, recomputed.
        let rest = v.indices.filter { Double($0) * interval < 50 }.map { v[$0] }
        let restMean = rest.reduce(0, +) / Double(rest.count)
        let restStd = (rest.reduce(0) { $0 + ($1 - restMean) * ($1 - restMean) } / Double(rest.count)).squareRoot()
        XCTAssertEqual(s[1], restMean, accuracy: 1e-9)
        XCTAssertEqual(s[2], restStd, accuracy: 1e-9)
    }

    /// Noise-free, over prior draws: the default (Heun, 2 steps per sample) against Heun
    /// with 16 steps and against Euler–Maruyama with 100 steps per sample, an independent
    /// first-order method. Each continuous statistic's mean error is below 1% of its spread
    /// over the prior (spreads measured from 300 prior draws, see docs/tasks.md); spike
    /// counts, which jump where an upstroke crosses the 5 mV-per-sample threshold, differ
    /// by at most one.
    func testStepAccuracy() {
        let spread = [8.3, 8.6, 6.1, 12.1, 383, 3.7, 12.8, 3330]
        var rng = RandomStream(seed: 2, stream: "test")
        let draws = 8
        var heunError = [Double](repeating: 0, count: 8)
        var eulerError = [Double](repeating: 0, count: 8)
        for _ in 0..<draws {
            let theta = HodgkinHuxley().samplePrior(&rng)
            let standard = HodgkinHuxley(noise: 0).simulate(theta, &rng)
            let heun = HodgkinHuxley(noise: 0, substeps: 16).simulate(theta, &rng)
            let euler = HodgkinHuxley(noise: 0, integrator: .eulerMaruyama, substeps: 100)
                .simulate(theta, &rng)
            for j in 0..<8 {
                heunError[j] += abs(standard[j] - heun[j]) / spread[j] / Double(draws)
                eulerError[j] += abs(standard[j] - euler[j]) / spread[j] / Double(draws)
            }
        }
        XCTAssertLessThanOrEqual(heunError[0] * spread[0] * Double(draws), 1, "spikes against Heun")
        XCTAssertLessThanOrEqual(eulerError[0] * spread[0] * Double(draws), 1, "spikes against Euler–Maruyama")
        for j in 1..<8 {
            XCTAssertLessThan(heunError[j], 0.01, "statistic \(j + 1) against Heun")
            XCTAssertLessThan(eulerError[j], 0.01, "statistic \(j + 1) against Euler–Maruyama")
        }
    }

    /// Near rest, V behaves like an Ornstein–Uhlenbeck process with time constant
    /// τ = C_m/g_L (the gates are nearly closed): the noisy trace minus the noise-free
    /// one over 20–50 ms has standard deviation 0.05·√(τ/2) ≈ 0.079 mV at the midpoint.
    func testRestingNoiseLevel() {
        var rng = RandomStream(seed: 3, stream: "test")
        let quiet = HodgkinHuxley(noise: 0).trace(midpoint, &rng).voltage
        let noisy = HodgkinHuxley().trace(midpoint, &rng).voltage
        let interval = HodgkinHuxley.duration / Double(count - 1)
        let window = Int(20 / interval)..<Int(50 / interval)
        let difference = window.map { noisy[$0] - quiet[$0] }
        let (mean, variance) = columnMoments(difference.map { [$0] })
        let expected = 0.05 * (1.5 / 0.3 / 2).squareRoot()
        XCTAssertEqual(mean[0], 0, accuracy: 3 * expected)
        XCTAssertEqual(variance[0].squareRoot(), expected, accuracy: 0.5 * expected)
    }
}
