import Foundation
@testable import Plots
import XCTest

final class FigureTests: XCTestCase {
    func testTrainingCurvesMarkTheBestEpoch() throws {
        let epochs = Array(1...30)
        let train = epochs.map { 5000 / Double($0 * $0 * $0) + 1 }
        let validation = epochs.map { 1 + 0.5 / Double($0) + (Double($0) - 20) * (Double($0) - 20) / 400 }
        let document = try parse(try TrainingCurves(epochs: epochs, trainLoss: train, validationLoss: validation,
                                                    bestEpoch: 17, title: "model").render())
        for name in ["train", "validation"] {
            let path = try XCTUnwrap(document.elements(svgElements("g", class: name) + "/*[local-name()='path']").first)
            let d = path.value("d") ?? ""
            XCTAssertEqual(d.filter { $0 == "L" }.count + 1, epochs.count, name)
        }
        XCTAssertEqual(try document.elements(svgElements("g", class: "best-epoch")).count, 1)
        let texts = try document.texts()
        XCTAssertTrue(texts.contains { $0.hasPrefix("best epoch 17: ") }, "\(texts)")
        XCTAssertTrue(texts.contains("validation loss"))
    }

    func testTrainingCurvesOfOneEpoch() throws {
        let document = try parse(try TrainingCurves(epochs: [1], trainLoss: [3], validationLoss: [2], bestEpoch: 1).render())
        XCTAssertEqual(try document.elements(svgElements("g", class: "validation") + "/*[local-name()='circle']").count, 1)
    }

    func testRankHistogramsHaveOneBarPerBin() throws {
        let dimensions = (0..<3).map { k in
            CalibrationPlot.Dimension(name: "p\(k)", rankHistogram: [10, 12, 8, 11, 9], pValue: 0.9,
                                      coverage: [0, 0.5, 1])
        }
        let plot = CalibrationPlot(dimensions: dimensions, rankMaximum: 99, band: (3, 17, 10, 0.99), levels: [0, 0.5, 1],
                                   coverageBand: [(0, 0), (0.4, 0.6), (1, 1)], coverageBandLevel: 0.95, title: "SBC")
        let document = try parse(try plot.render())
        let histograms = try document.elements(svgElements("g", class: "rank-histogram"))
        XCTAssertEqual(histograms.count, 3)
        for histogram in histograms {
            XCTAssertEqual(try histogram.nodes(forXPath: ".//*[@class='bar']").count, 5)
        }
        let texts = try document.texts()
        XCTAssertTrue(texts.contains("expected coverage"))
        XCTAssertTrue(texts.contains("exact (95% band)"))
        XCTAssertTrue(texts.contains("χ² p = 0.900"))
    }

    func testTracesKeepEverySpike() throws {
        let time = (0..<5000).map { Double($0) * 0.04 }
        // One-sample spikes every 500 samples: plain subsampling to pixel columns would miss them.
        let trace = (0..<5000).map { $0 % 500 == 250 ? 40.0 : -65.0 }
        var figure = PredictiveTraces(time: time, simulated: [trace, trace], observed: trace, xLabel: "t", yLabel: "V")
        figure.shaded = (50, 150, "stimulus")
        let document = try parse(try figure.render())
        let observed = try XCTUnwrap(document.elements(svgElements("g", class: "observed") + "/*[local-name()='path']").first)
        let d = observed.value("d") ?? ""
        let ys = d.split(separator: " ").enumerated().filter { $0.offset % 2 == 1 }.compactMap { Double($0.element) }
        let top = ys.min() ?? 0
        XCTAssertEqual(ys.filter { abs($0 - top) < 0.01 }.count, 10, "every spike reaches the top")
        XCTAssertLessThan(d.count, 40_000, "reduced to pixel columns")
        XCTAssertTrue(try document.texts().contains("simulated at posterior samples (2)"))
    }
}
