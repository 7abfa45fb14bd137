import ArgumentParser
import Datasets
import Foundation
import Plots
import Simulators

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a corner plot of posterior samples (SVG).",
        discussion: """
            Histograms of each parameter on the diagonal, heat maps of each pair below. Reference \
            samples (--reference, or sbibm's with --task and --obs) are drawn over them in orange, \
            with contours enclosing 68% and 95% of their mass; true parameters (--truth, or sbibm's \
            with --obs) as black lines and points. Names come from --names, the task, or the CSV header.
            """)

    @Argument(help: "Posterior samples (.csv or .npy), one sample a row.")
    var samples: String

    @Option(help: "Reference samples (.csv or .npy) to draw over the samples.")
    var reference: String?

    @Option(help: "Task whose parameter names to use; with --obs, sbibm's reference samples and true parameters too.")
    var task: String?

    @Option(help: "sbibm observation number (1–5), with --task.")
    var obs: Int?

    @Option(help: "True parameters, comma-separated (replaces sbibm's).", transform: parseValues)
    var truth: [Double]?

    @Option(help: "Parameter names, comma-separated.", transform: { $0.split(separator: ",").map(String.init) })
    var names: [String]?

    @Option(help: "Title above the plot (default: the task and observation, or the file name).")
    var title: String?

    @Option(name: .shortAndLong, help: "Output file (.svg).")
    var out = "corner.svg"

    @Option(help: "The parameters to draw, by column from 1: e.g. 1-5 or 1,3,8 (default: all, up to \(CornerPlot.maximumDimension)).",
            transform: { text in
                do { return try parseNumbers(text) } catch {
                    throw ValidationError("\"\(text)\" is not a list of columns such as 1,3 or 1-5")
                }
            })
    var columns: [Int]?

    func validate() throws {
        guard obs == nil || task != nil else { throw ValidationError("--obs needs --task") }
        guard obs == nil || reference == nil else { throw ValidationError("give --reference FILE or --task T --obs N, not both") }
        try requireSVG(out)
    }

    func run() throws {
        try reportingErrors("plot") {
            let table = try readTable(samples)
            let count = table.matrix.columns
            // A panel for each pair: beyond a few dozen parameters the plot is unreadable and huge.
            let chosen = columns ?? Array(1...max(count, 1))
            if columns == nil, count > CornerPlot.maximumDimension {
                throw DataError(file: samples, reason: "\(count) columns would make \(count) × \(count) panels; a corner plot draws "
                                + "at most \(CornerPlot.maximumDimension) parameters: choose them with --columns, e.g. --columns 1-5")
            }
            if let wrong = chosen.first(where: { $0 > count }) {
                throw DataError(file: samples, reason: "--columns \(wrong): the file has \(count) columns")
            }
            let sbibm = try obs.map { try SBIBMPosterior(task: task!, observation: $0) }
            let names = self.names ?? Simulators.parameterNames(ofTask: task, count: count) ?? table.header
                ?? Simulators.parameterNames(task: nil, count: count)
            let reference = try self.reference.map(readMatrix) ?? sbibm?.reference
            let truth = self.truth ?? sbibm?.truth
            /// The chosen columns of what has one value per parameter of the samples (else as it is, for the plot to refuse).
            func pick<T>(_ values: [T]) -> [T] { values.count == count ? chosen.map { values[$0 - 1] } : values }
            func pick(_ m: Matrix) -> Matrix {
                guard m.columns == count else { return m }
                return (try? Matrix(rows: m.rows, columns: chosen.count, values: (0..<m.rows).flatMap { r in chosen.map { m[r, $0 - 1] } })) ?? m
            }
            let figure = CornerPlot(
                samples: pick(table.matrix), names: pick(names), reference: reference.map(pick), truth: truth.map(pick),
                title: title ?? sbibm?.title ?? URL(fileURLWithPath: samples).lastPathComponent)
            try figure.render().write(to: out)
            print("wrote \(out)")
        }
    }
}

/// The reference posterior of an sbibm observation: what a corner plot draws samples against.
struct SBIBMPosterior {
    var reference: Matrix
    var truth: [Double]
    var title: String

    init(task: String, observation: Int) throws {
        reference = try SBIBM.referenceSamples(task: task, number: observation)
        truth = try SBIBM.trueParameters(task: task, number: observation).rowArray(0)
        title = "\(task), observation \(observation)"
    }
}

/// The corner plot `sbic sample --plot` draws for one observation: over sbibm's reference
/// posterior and true parameters when the observation is sbibm's.
func plotSamples(_ samples: Matrix, names: [String], sbibmTask: String?, observation: Int, to path: String) throws {
    let sbibm = try sbibmTask.map { try SBIBMPosterior(task: $0, observation: observation) }
    try CornerPlot(samples: samples, names: names, reference: sbibm?.reference, truth: sbibm?.truth,
                   title: sbibm?.title ?? "observation \(observation)").render().write(to: path)
}
