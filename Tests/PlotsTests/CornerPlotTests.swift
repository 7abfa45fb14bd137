import Datasets
import Foundation
@testable import Plots
import XCTest

final class CornerPlotTests: XCTestCase {
    /// n samples of d independent normals with means 0, 1, 2, … from a fixed LCG, so that the
    /// test needs no random-number module.
    func samples(_ n: Int, _ d: Int, seed: UInt64 = 1) -> Matrix {
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        var m = Matrix(rows: n, columns: d)
        for i in 0..<n {
            for j in 0..<d { m[i, j] = Double(j) + (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
        }
        return m
    }

    func testPanelsLegendAndTruthForEveryDimension() throws {
        for d in [2, 5, 10] {
            let names = (1...d).map { "theta_\($0)" }
            var plot = CornerPlot(samples: samples(2000, d), names: names, reference: samples(1500, d, seed: 2),
                                  truth: (0..<d).map(Double.init), title: "test")
            plot.samplesLabel = "posterior"
            let document = try parse(try plot.render())
            XCTAssertEqual(try document.elements(svgElements("g", class: "diagonal")).count, d)
            XCTAssertEqual(try document.elements(svgElements("g", class: "pair")).count, d * (d - 1) / 2)
            let texts = try document.texts()
            for name in names { XCTAssertTrue(texts.contains(name), "\(name) missing for d = \(d)") }
            XCTAssertTrue(texts.contains("posterior (2,000)"), "\(texts)")
            XCTAssertTrue(texts.contains("reference samples (1,500)"))
            XCTAssertTrue(texts.contains("true parameters"))
            // One truth point per pair panel, plus the legend's.
            let points = try document.elements(svgElements("circle")).filter { $0.value("fill") == Palette.truth }
            XCTAssertEqual(points.count, d * (d - 1) / 2 + 1)
        }
    }

    func testWithoutReferenceOrTruth() throws {
        let document = try parse(try CornerPlot(samples: samples(500, 3), names: ["a", "b", "c"]).render())
        let texts = try document.texts()
        XCTAssertTrue(texts.contains("posterior samples (500)"))
        XCTAssertFalse(texts.contains { $0.hasPrefix("reference") })
        XCTAssertFalse(texts.contains("true parameters"))
    }

    func testNamesAreEscaped() throws {
        let names = ["a<b", "c&d \"e\"\u{1}"]
        let document = try parse(try CornerPlot(samples: samples(200, 2), names: names, title: "<title> & 'x'").render())
        let texts = try document.texts()
        XCTAssertTrue(texts.contains("a<b"))
        XCTAssertTrue(texts.contains("c&d \"e\" "))
        XCTAssertTrue(texts.contains("<title> & 'x'"))
    }

    func testNonFiniteRowsAreLeftOutAndMismatchesRejected() throws {
        var m = samples(100, 2)
        m[0, 1] = .nan
        m[1, 0] = .infinity
        let texts = try parse(try CornerPlot(samples: m, names: ["a", "b"]).render()).texts()
        XCTAssertTrue(texts.contains("posterior samples (98)"))
        XCTAssertThrowsError(try CornerPlot(samples: m, names: ["a"]).render())
        XCTAssertThrowsError(try CornerPlot(samples: m, names: ["a", "b"], truth: [1]).render())
        XCTAssertThrowsError(try CornerPlot(samples: m, names: ["a", "b"], reference: samples(10, 3)).render())
    }

    func testAxisRangeIgnoresStraySamplesButKeepsTheTruth() {
        let values = (0..<10_000).map { Double($0) / 10_000 } + [1000]
        let (lower, upper) = CornerPlot.range(values, truth: -1)
        XCTAssertEqual(lower, -1 - 0.05 * (upper - lower) / 1.1, accuracy: 0.01)
        XCTAssertLessThan(upper, 1.2)
    }
}
