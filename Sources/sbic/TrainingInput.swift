import Datasets
import Foundation
import IR
import Simulators
import Training

/// The simulations `sbic train` learns from, from the user's files or a built-in simulator,
/// checked against the graph before any training: one row per simulation, the same rows in
/// θ and y, the columns the graph was compiled for. Errors name the file and the row.
struct TrainingInput {
    var theta: Matrix
    var y: Matrix
    /// Where the data came from: "theta.csv, y.npy" or "10000 simulations of two_moons".
    var source: String
    /// The first NaN or ±∞ in the files, by file, row and column, to go with the count of
    /// rows dropped for holding one; nil for simulated data, whose failures are expected.
    var firstNonFinite: String?
    /// θ's names, from the header of a θ CSV file.
    var parameterNames: [String]? = nil
    /// What model.json records of where the data came from.
    var provenance: DataProvenance

    static func read(theta thetaPath: String, y yPath: String, for graph: Graph, _ interface: GraphInterface) throws -> TrainingInput {
        let files = try readDataFiles([thetaPath, yPath])
        let (theta, y) = (files[0], files[1])
        for (file, variable, size) in [(theta, interface.target, interface.targetSize), (y, interface.given, interface.givenSize)] {
            guard file.matrix.rows > 0 else { throw file.error("holds no simulations") }
            try checkColumns(file.matrix, size, variable, graph, file: file.path)
        }
        guard theta.matrix.rows == y.matrix.rows else {
            throw y.error("has \(y.matrix.rows) rows, but \(thetaPath) has \(theta.matrix.rows); "
                          + "the files must hold the same simulations, one a row")
        }
        // The earliest row holding NaN or ±∞, in θ before y.
        let place = [theta, y].compactMap { file in file.firstNonFinite.map { (file, $0) } }
            .min { $0.1.row < $1.1.row }
            .map { file, at in file.place(row: at.row, column: at.column) }
        return TrainingInput(theta: theta.matrix, y: y.matrix, source: "\(thetaPath), \(yPath)", firstNonFinite: place,
                             parameterNames: theta.header,
                             provenance: try .files(theta: thetaPath, y: yPath, simulations: theta.matrix.rows))
    }

    static func simulate(task: String, count: Int, seed: UInt64, for graph: Graph, _ interface: GraphInterface) throws -> TrainingInput {
        let simulator = try Simulators.named(task)
        let source = "\(count) simulations of \(task)"
        try checkMemory(simulations: count, of: simulator, task: task)
        let (theta, y) = simulateDataset(simulator, count: count, seed: seed,
                                         threads: ProcessInfo.processInfo.activeProcessorCount)
        try checkColumns(theta, interface.targetSize, interface.target, graph, file: source)
        try checkColumns(y, interface.givenSize, interface.given, graph, file: source)
        return TrainingInput(theta: theta, y: y, source: source, firstNonFinite: nil,
                             provenance: .simulator(task, seed: seed, simulations: count))
    }

    private static func checkColumns(_ m: Matrix, _ size: Int, _ variable: String, _ graph: Graph, file: String) throws {
        guard m.columns == size else {
            throw DataError(file: file, reason: "has \(m.columns) columns; \(graph.name) expects \(size) for \(variable)")
        }
    }
}
