/// Contour lines of a grid of values by marching squares.
///
/// `values` is n × n, row-major with x fastest; value (i, j) sits at the centre of cell
/// (i, j), i.e. at grid coordinates (i + ½, j + ½). The result is a list of segments in
/// grid coordinates; drawn together they form the level set. Segments are not joined into
/// polylines: a renderer draws them identically, and joining adds code without changing
/// the picture.
func contourSegments(_ values: [Double], size n: Int, level: Double)
    -> [(from: (x: Double, y: Double), to: (x: Double, y: Double))] {
    var segments: [(from: (x: Double, y: Double), to: (x: Double, y: Double))] = []
    guard n >= 2 else { return segments }
    func value(_ i: Int, _ j: Int) -> Double { values[j * n + i] }
    /// Where the level crosses the edge from corner a to corner b (linear interpolation).
    func crossing(_ a: (x: Double, y: Double, v: Double), _ b: (x: Double, y: Double, v: Double)) -> (x: Double, y: Double) {
        let t = (level - a.v) / (b.v - a.v)
        return (a.x + t * (b.x - a.x) + 0.5, a.y + t * (b.y - a.y) + 0.5)
    }
    for j in 0..<(n - 1) {
        for i in 0..<(n - 1) {
            // Corners counter-clockwise from (i, j); the edges between them in the same order.
            let corners: [(x: Double, y: Double, v: Double)] = [
                (Double(i), Double(j), value(i, j)), (Double(i + 1), Double(j), value(i + 1, j)),
                (Double(i + 1), Double(j + 1), value(i + 1, j + 1)), (Double(i), Double(j + 1), value(i, j + 1)),
            ]
            let above = corners.map { $0.v >= level }
            let crossed = (0..<4).filter { above[$0] != above[($0 + 1) % 4] }
            let points = crossed.map { crossing(corners[$0], corners[($0 + 1) % 4]) }
            switch points.count {
            case 2:
                segments.append((points[0], points[1]))
            case 4:
                // A saddle: the mean of the corners stands for the centre. Corners 0 and 2
                // are joined through the centre when it is on their side of the level, which
                // cuts off corners 1 and 3 (and the other way round).
                let centreAbove = corners.map(\.v).reduce(0, +) / 4 >= level
                if centreAbove == above[0] {
                    segments.append((points[0], points[1])); segments.append((points[2], points[3]))
                } else {
                    segments.append((points[3], points[0])); segments.append((points[1], points[2]))
                }
            default:
                break
            }
        }
    }
    return segments
}
