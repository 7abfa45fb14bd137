import Foundation
import Interpreter
import IR
import JIT
import Passes
import Runtime
import XCTest

/// The JIT's exp, log, tanh and sigmoid against float64, in units in the last place of the
/// correctly rounded float result, over sweeps of their useful ranges. docs/jit.md quotes
/// the maxima this prints.
final class MathAccuracyTests: XCTestCase {
    func testExp() throws {
        let x = sweep(-103, 88.7, count: 200_000)
        try checkAccuracy(.exp, x, maxULP: 2) { Foundation.exp($0) }
    }

    func testLog() throws {
        // Every binade from the subnormals to the largest floats, and densely around 1.
        var x = (0..<200_000).map { Float(exp2(Double($0) / 200_000 * 277 - 149)) }
        x += sweep(0.5, 2, count: 50_000)
        try checkAccuracy(.log, x, maxULP: 2) { Foundation.log($0) }
    }

    func testTanh() throws {
        try checkAccuracy(.tanh, sweep(-10, 10, count: 200_000) + sweep(-1e-3, 1e-3, count: 10_000), maxULP: 3) { Foundation.tanh($0) }
    }

    func testSigmoid() throws {
        try checkAccuracy(.sigmoid, sweep(-80, 40, count: 200_000), maxULP: 3) { 1 / (1 + Foundation.exp(-$0)) }
    }

    func testSoftplus() throws {
        try checkAccuracy(.softplus, sweep(-80, 80, count: 200_000), maxULP: 4) { max($0, 0) + Foundation.log1p(Foundation.exp(-abs($0))) }
    }

    /// Every row the JIT approximates has its own test above: a new one fails here until it does.
    func testEveryApproximatedRowIsMeasured() {
        let measured: Set<String> = ["exp", "log", "tanh", "sigmoid", "softplus"]
        XCTAssertEqual(Set(UnaryOp.table.filter { !$0.traits.contains(.cheap) }.map(\.name)), measured)
    }

    private func sweep(_ low: Double, _ high: Double, count: Int) -> [Float] {
        (0..<count).map { Float(low + (high - low) * Double($0) / Double(count - 1)) }
    }

    private func checkAccuracy(_ op: UnaryOp, _ x: [Float], maxULP: Double, _ exact: (Double) -> Double,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        var builder = Builder(Program(name: op.name), parameters: [])
        builder.output("y", try builder.unary(op, try builder.input("x", [x.count])))
        let graph = planMemory(Graph(name: op.name, programs: [builder.program]))
        let y = execute(try JITProgram(graph.programs[0], parameters: ParameterStore<Float>(graph)), ["x": x])["y"]!
        var worst = (ulp: 0.0, at: Float(0))
        for (xi, yi) in zip(x, y) {
            let reference = exact(Double(xi))
            let rounded = Float(reference)
            // Below the normal range the spacing of floats is that of the smallest normals.
            let ulp = Double(rounded.isZero ? Float.leastNonzeroMagnitude : max(rounded.ulp, Float.leastNonzeroMagnitude))
            let error = rounded.isInfinite ? (yi == rounded ? 0 : .infinity) : abs(Double(yi) - reference) / ulp
            if !(error <= worst.ulp) { worst = (error, xi) }
        }
        print("\(op.name): max error \(String(format: "%.2f", worst.ulp)) ulp at x = \(worst.at)")
        XCTAssertLessThanOrEqual(worst.ulp, maxULP, "\(op.name) at x = \(worst.at)", file: file, line: line)
    }
}
