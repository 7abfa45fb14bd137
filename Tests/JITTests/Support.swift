import Foundation
import Interpreter
import IR
import Runtime
import TestSupport
import XCTest

/// Writes inputs in place, runs, and copies every output out: the same for both back ends.
func execute(_ executable: Executable, _ inputs: [String: [Float]]) -> [String: [Float]] {
    for (name, data) in inputs { _ = executable.input(name).update(fromContentsOf: data) }
    executable.run()
    return Dictionary(uniqueKeysWithValues: executable.program.outputs.map { ($0.name, Array(executable.output($0.name))) })
}

/// Random inputs for every input of a program; the learning rate a plausible one, and uniform
/// noise as the sampler draws it: in [0, 1), on a 2⁻²⁴ grid.
func randomInputs(_ program: Program, _ random: inout TestRandom) -> [String: [Float]] {
    var inputs: [String: [Float]] = [:]
    for (name, shape) in program.inputs {
        if name == "adamw.learning_rate" {
            inputs[name] = [1e-3]
        } else if NoiseDistribution(noiseInput: name) == .uniform {
            inputs[name] = (0..<shape.count).map { _ in Float(Int(random.uniform() * 0x1p24)) * 0x1p-24 }
        } else {
            inputs[name] = random.floats(shape.count)
        }
    }
    return inputs
}

/// max |got − want| ≤ tolerance · max(1, max |want|) over a tensor. Sums of many terms are
/// accurate relative to the magnitude of the terms, not of the result, so the error is measured
/// against the tensor's scale (as ggml's test-backend-ops normalizes its error). NaN must
/// meet NaN.
func assertClose(_ got: [Float], _ want: [Float], tolerance: Float, _ what: @autoclosure () -> String,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard got.count == want.count else {
        XCTFail("\(what()): \(got.count) values, expected \(want.count)", file: file, line: line)
        return
    }
    let bound = tolerance * max(1, want.lazy.filter(\.isFinite).map(abs).max() ?? 0)
    var worst: (index: Int, error: Float)?
    for i in got.indices where !(got[i].isNaN && want[i].isNaN) {
        let error = got[i] == want[i] ? 0 : abs(got[i] - want[i])  // equal infinities agree
        if !(error <= bound), worst == nil || !(error <= worst!.error) { worst = (i, error) }
    }
    if let worst {
        XCTFail("\(what())[\(worst.index)]: got \(got[worst.index]), expected \(want[worst.index]); "
                + "tolerance \(bound) (\(tolerance) of the tensor's scale)", file: file, line: line)
    }
}

/// Element by element within `ulps` units in the last place of the expected value (at least
/// the smallest normal's spacing, so that results near zero are not held to subnormal
/// precision); NaN must meet NaN and infinities must be equal.
func assertWithinULPs(_ got: [Float], _ want: [Float], _ ulps: Float, _ what: @autoclosure () -> String,
                      file: StaticString = #filePath, line: UInt = #line) {
    guard got.count == want.count else {
        XCTFail("\(what()): \(got.count) values, expected \(want.count)", file: file, line: line)
        return
    }
    for (i, (g, w)) in zip(got, want).enumerated() where !(g.isNaN && w.isNaN) && g != w {
        let spacing = max(w.ulp, Float.leastNormalMagnitude.ulp)
        if !(abs(g - w) <= ulps * spacing) {
            XCTFail("\(what())[\(i)]: got \(g), expected \(w) (\(ulps) ulp)", file: file, line: line)
            return
        }
    }
}

/// Parameters after an AdamW step. From zero moments, AdamW moves every weight by about
/// lr · g / |g|, so a weight whose gradient is within rounding error of zero may move by +lr in
/// one back end and −lr in the other. Such weights may differ by up to 2·lr; at most one in two
/// hundred may, and all others agree as `assertClose` requires. The paper's widest encoder
/// (bernoulli_glm_raw CP-VAE, 110 inputs, four layers of 256) has the most: after three steps
/// from random weights, 43 of 28,160, 110 of 65,536 and 197 of 65,536 in its first three
/// layers, none by more than 0.81·lr.
func assertUpdateClose(_ got: [Float], _ want: [Float], learningRate: Float, _ what: @autoclosure () -> String,
                       file: StaticString = #filePath, line: UInt = #line) {
    let bound = 1e-4 * max(1, want.lazy.filter(\.isFinite).map(abs).max() ?? 0)
    let far = zip(got, want).filter { !(abs($0 - $1) <= bound) }
    if far.count * 200 > got.count || far.contains(where: { !(abs($0 - $1) <= 2 * learningRate + bound) }) {
        assertClose(got, want, tolerance: 1e-4, what(), file: file, line: line)
    }
}
