import ArgumentParser
import Datasets
import Foundation
import Simulators
import Training

struct LogProb: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logprob",
        abstract: "The log posterior density log q(θ | y) of a trained model at given θ.",
        discussion: """
            θ comes from --theta (.csv or .npy, one θ a row, in the units of the training data). The \
            observation comes from --observation (a file with one row for every θ, or one row per θ \
            row; or one observation's values, comma-separated) or from sbibm's reference data (--obs N, \
            with --task or the model's task).

            A model without latent variables (an NPE: a Gaussian, a mixture or a flow over θ given y) \
            gives log q(θ | y) exactly. A VAE's density is an integral over its latent variable; sbic \
            estimates it by importance sampling with the encoder q(z | y, θ) as proposal: \
            log (1/K) Σ_k p(θ | y, z_k) p(z_k | y) / q(z_k | y, θ), the IWAE bound with K = --samples \
            draws per row. It is a lower bound in expectation, tighter as K grows. The output says which \
            of the two it is.

            Densities are in θ's own units: the Jacobian of the model's scaling of θ is included. \
            Without --out the values are printed, one a line, after a line starting with # that says \
            what they are; with --out they are written as a one-column .csv or .npy.
            """)

    @Argument(help: "A model directory written by `sbic train`.")
    var model: String

    @Option(help: "θ at which to evaluate the density: a .csv or .npy file, one θ a row.")
    var theta: String

    @Option(help: "The observation: a file (.csv or .npy, one row, or one row per θ), or one observation's values, comma-separated.")
    var observation: String?

    @Option(help: "The built-in task whose reference observation --obs takes (default: the model's task).")
    var task: String?

    @Option(help: "An sbibm observation number.")
    var obs: Int?

    @Option(help: "Importance samples per θ for a model with latent variables (the IWAE bound's K).")
    var samples = 1000

    @Option(name: .shortAndLong, help: "Output file (.csv or .npy); without it the values are printed.")
    var out: String?

    @Option(help: "Seed for the encoder's draws (default: a fresh one, printed).")
    var seed: UInt64?

    @OptionGroup var backendOption: BackendOption
    var backend: BackendChoice { backendOption.backend }

    func validate() throws {
        guard (observation == nil) != (obs == nil) else { throw ValidationError("give --observation FILE, or --obs N (with --task)") }
        guard samples > 0 else { throw ValidationError("--samples must be positive") }
        if let obs, obs < 1 { throw ValidationError("--obs must be a positive observation number") }
        if let out, !["csv", "npy"].contains(URL(fileURLWithPath: out).pathExtension.lowercased()) {
            throw ValidationError("--out must name a .csv or .npy file")
        }
    }

    func run() throws {
        try reportingErrors("logprob") {
            try requireModelDirectory(model)
            let trained = try TrainedModel.load(from: model)
            let density = try inFile(model) { try PosteriorDensity(trained, backend: backend.compiler) }
            let thetaFile = try readDataFiles([theta])[0]
            guard thetaFile.matrix.rows > 0 else { throw thetaFile.error("holds no θ") }
            guard thetaFile.matrix.columns == density.parameterDimension else {
                throw thetaFile.error("has \(thetaFile.matrix.columns) columns; the model's θ has \(density.parameterDimension)")
            }
            if let at = thetaFile.firstNonFinite {
                throw thetaFile.error(row: at.row, column: at.column, "\(thetaFile.matrix[at.row, at.column]): θ must be finite")
            }
            let observations: Matrix
            if let observation {
                observations = try readObservations(observation, columns: density.observationDimension)
                guard observations.rows == 1 || observations.rows == thetaFile.matrix.rows else {
                    throw DataError(file: observation, reason: "has \(observations.rows) observations for the \(thetaFile.matrix.rows) "
                                    + "rows of \(theta): give one observation, or one for each row")
                }
            } else {
                guard let name = task ?? trained.task else { throw ValidationError("the model names no task: give --task") }
                observations = try SBIBM.observation(task: name, number: obs!)
                guard observations.columns == density.observationDimension else {
                    throw ValidationError("\(name)'s observations have \(observations.columns) values; the model expects "
                                          + "\(density.observationDimension)")
                }
            }
            let seed = self.seed ?? UInt64.random(in: 0...UInt64.max)
            let values = try density.logDensity(of: thetaFile.matrix, given: observations, samples: samples, seed: seed)
            let what = density.isExact ? "log q(θ | y), exact"
                : "IWAE lower bound on log q(θ | y), \(samples) importance sample\(samples == 1 ? "" : "s") per row (seed \(seed))"
            guard let out else {
                print("# " + what)
                for value in values { print(String(format: "%.6f", value)) }
                return
            }
            let column = density.isExact ? "log_prob" : "log_prob_iwae_lower_bound_k\(samples)"
            try writeMatrix(try Matrix(rows: values.count, columns: 1, values: values), to: out, header: [column])
            print("wrote \(values.count) values of the \(what) to \(out)")
        }
    }
}
