import ArgumentParser
import Datasets
import Foundation
import Simulators

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a built-in simulator and write θ and y.",
        discussion: "Writes DIR/theta.npy and DIR/y.npy (one simulation a row; failed ODE solves are kept as NaN).")

    @Option(help: "The simulator: \(Simulators.names.joined(separator: ", ")).")
    var task: String

    @Option(name: .short, help: "How many simulations.")
    var n: Int

    @Option(help: "Seed; the same seed gives the same data.")
    var seed: UInt64 = 1

    @Option(help: "Output directory.")
    var out = "."

    @Flag(help: "Also write theta.csv and y.csv.")
    var csv = false

    @Option(help: "Worker threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard n > 0 else { throw ValidationError("-n must be positive") }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
    }

    func run() throws {
        try reportingErrors("simulate") {
            let simulator = try Simulators.named(task)
            try checkMemory(simulations: n, of: simulator, task: task)
            let cores = ProcessInfo.processInfo.activeProcessorCount
            if threads > cores { print("note: --threads \(threads) is more than the \(cores) cores; using \(cores)") }
            let start = Date()
            let (theta, y) = simulateDataset(simulator, count: n, seed: seed, threads: min(threads, cores))
            do { try createDirectories(out) } catch let error as DataError where error.file != out {
                throw DataError(file: out, reason: "cannot create: \(error)")
            }
            try NPY.write(theta, to: out + "/theta.npy")
            try NPY.write(y, to: out + "/y.npy")
            if csv {
                try CSV.write(theta, to: out + "/theta.csv", header: simulator.parameterNames)
                try CSV.write(y, to: out + "/y.csv", header: (1...y.columns).map { "data_\($0)" })
            }
            let failed = (0..<y.rows).filter { !y.row($0).allSatisfy(\.isFinite) }.count
            print("\(n) simulations of \(task) in \(String(format: "%.2f", Date().timeIntervalSince(start))) s"
                  + (failed > 0 ? " (\(failed) failed: NaN rows)" : "") + "; wrote \(out)/theta.npy, \(out)/y.npy"
                  + (csv ? ", \(out)/theta.csv, \(out)/y.csv" : ""))
        }
    }
}
