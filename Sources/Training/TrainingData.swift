import Datasets
import Foundation
import IR
import Random

/// Simulated pairs (θ, y) prepared as the paper's protocol says: failed simulations dropped
/// (and counted), a shuffled 90/10 split, scaling fitted on the training split.
public struct TrainingData {
    public var thetaScaler: Scaler
    public var yScaler: Scaler
    /// Scaled rows, float32, row-major.
    public var trainTheta: [Float], trainY: [Float]
    public var validationTheta: [Float], validationY: [Float]
    public var trainCount: Int, validationCount: Int
    public var thetaColumns: Int, yColumns: Int
    /// Rows dropped because θ or y held NaN or ±∞.
    public var dropped: Int

    public init(theta: Matrix, y: Matrix, validationFraction: Double, thetaScaling: Scaling, yScaling: Scaling,
                minimumTrainingRows: Int, seed: UInt64) throws {
        guard theta.rows == y.rows else {
            throw TrainingError("θ has \(theta.rows) rows but y has \(y.rows): they must be pairs, one row each")
        }
        let finite = (0..<theta.rows).filter { r in theta.row(r).allSatisfy(\.isFinite) && y.row(r).allSatisfy(\.isFinite) }
        dropped = theta.rows - finite.count
        for (name, m, scaling) in [("θ", theta, thetaScaling), ("y", y, yScaling)] {
            if let (r, c) = scaling.firstUnscalable(in: m, rows: finite) {
                throw TrainingError("\(name) row \(r + 1), column \(c + 1) is \(m[r, c]): \(scaling.rawValue) scaling takes "
                    + "the logarithm, so every value must be positive")
            }
        }
        var order = finite
        var rng = RandomStream(seed: seed, stream: "split")
        rng.shuffle(&order)
        let validation = max(1, Int((Double(order.count) * validationFraction).rounded()))
        guard order.count - validation >= minimumTrainingRows else {
            throw TrainingError("\(order.count) usable simulations (\(dropped) dropped as non-finite) leave "
                + "\(max(order.count - validation, 0)) for training, fewer than one batch of \(minimumTrainingRows)")
        }
        let validationRows = Array(order.prefix(validation)).sorted()
        let trainRows = Array(order.dropFirst(validation)).sorted()
        let (trainT, trainY) = (theta.selectingRows(trainRows), y.selectingRows(trainRows))
        thetaScaler = Scaler(fitting: trainT, kind: thetaScaling)
        yScaler = Scaler(fitting: trainY, kind: yScaling)
        self.trainTheta = thetaScaler.apply(trainT)
        self.trainY = yScaler.apply(trainY)
        validationTheta = thetaScaler.apply(theta.selectingRows(validationRows))
        validationY = yScaler.apply(y.selectingRows(validationRows))
        trainCount = trainRows.count
        validationCount = validationRows.count
        thetaColumns = theta.columns
        yColumns = y.columns
    }
}

public struct TrainingError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
