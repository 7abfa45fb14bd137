import Foundation
@testable import Plots
import XCTest

final class PrimitivesTests: XCTestCase {
    func testNumbersAreShortAndLocaleFree() {
        XCTAssertEqual(SVG.number(12.5), "12.5")
        XCTAssertEqual(SVG.number(3), "3")
        XCTAssertEqual(SVG.number(-0.001), "0")
        XCTAssertEqual(SVG.number(1234.567), "1234.57")
        XCTAssertEqual(SVG.number(.nan), "0")
    }

    func testEscaping() {
        XCTAssertEqual(SVG.escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;")
        XCTAssertEqual(SVG.escape("x\u{0}y\u{1F}z\tw"), "x y z\tw")
        XCTAssertEqual(SVG.escape("µA/cm² θ"), "µA/cm² θ")
    }

    func testTicksAreRoundAndInside() {
        let scale = LinearScale(domain: (-4.97, 4.93), range: (0, 100))
        XCTAssertEqual(scale.ticks(4).map(\.value), [-4, -2, 0, 2, 4])
        XCTAssertEqual(LinearScale(domain: (0.013, 0.087), range: (0, 1)).ticks(3).map(\.label), ["0.02", "0.04", "0.06", "0.08"])
        XCTAssertEqual(LinearScale(domain: (1, 3), range: (0, 1)).ticks(8, minimumStep: 1).map(\.label), ["1", "2", "3"])
        XCTAssertEqual(LinearScale(domain: (-0.3, 0.3), range: (0, 1)).ticks(3).map(\.label), ["-0.2", "0", "0.2"])
        // A constant column still gets an axis.
        XCTAssertFalse(LinearScale(domain: (2, 2), range: (0, 1)).ticks(3).isEmpty)
    }

    func testHistogramsKeepTheUpperEdgeAndDropOutsiders() {
        XCTAssertEqual(histogram([0, 0.1, 0.5, 1, 1.5, -0.1], lower: 0, upper: 1, bins: 2), [2, 2])
        let grid = histogram2D(x: [0.1, 0.9, 0.9], y: [0.1, 0.1, 0.9], xRange: (0, 1), yRange: (0, 1), bins: 2)
        XCTAssertEqual(grid, [1, 1, 0, 1])
    }

    func testHighestDensityLevel() {
        XCTAssertEqual(highestDensityLevel([5, 3, 1, 1], mass: 0.5), 5)
        XCTAssertEqual(highestDensityLevel([5, 3, 1, 1], mass: 0.8), 3)
    }

    /// The contour of r² at level 100 on a grid centred on the origin is a circle of radius 10.
    func testContoursOfAConeAreCircles() {
        let n = 41
        let values = (0..<n * n).map { k -> Double in
            let x = Double(k % n) - 20, y = Double(k / n) - 20
            return x * x + y * y
        }
        let segments = contourSegments(values, size: n, level: 100)
        XCTAssertGreaterThan(segments.count, 30)
        for s in segments {
            for p in [s.from, s.to] {
                // Grid coordinate (i + ½) is value index i, so the centre is at 20.5.
                let r = ((p.x - 20.5) * (p.x - 20.5) + (p.y - 20.5) * (p.y - 20.5)).squareRoot()
                XCTAssertEqual(r, 10, accuracy: 0.3)
            }
        }
    }

    func testSaddlesCutOffTheCornersOnTheOtherSide() {
        // Corners 0 (1) and 2 (0.9) high, 1 (0) and 3 (0.2) low, their mean high: the high
        // corners are joined through the centre and the low ones cut off.
        let segments = contourSegments([1, 0, 0.2, 0.9], size: 2, level: 0.5)
        XCTAssertEqual(segments.count, 2)
        for s in segments {
            let midX = (s.from.x + s.to.x) / 2, midY = (s.from.y + s.to.y) / 2
            // Each segment lies near corner 1 (x = 1.5, y = 0.5) or corner 3 (x = 0.5, y = 1.5).
            XCTAssertTrue((midX > 1 && midY < 1) || (midX < 1 && midY > 1), "\(s)")
        }
    }
}
