import ArgumentParser
import Datasets
import Evaluation
import Foundation

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score posterior samples against reference samples (C2ST and MMD, as sbibm).",
        discussion: """
            Prints one JSON object: c2st (5-fold classifier accuracy; 0.5 means indistinguishable), \
            mmd2 (unbiased squared MMD, Gaussian kernel whose bandwidth is the median pairwise \
            distance of the reference), and what they were computed on.
            """)

    @Argument(help: "Posterior samples (.csv or .npy), one sample a row.")
    var samples: String

    @Option(help: "Reference samples (.csv or .npy).")
    var reference: String?

    @Option(help: "sbibm task whose reference posterior to use.")
    var task: String?

    @Option(help: "sbibm observation number (1–5).")
    var obs: Int?

    @Option(help: "Use at most this many samples from each set (sbibm uses 10,000).")
    var count = 10_000

    @Option(help: "Seed for the folds and the classifier.")
    var seed: UInt64 = 1

    @Flag(help: "Skip MMD (quadratic in the number of samples).")
    var noMMD = false

    @OptionGroup var backendOption: BackendOption
    var backend: BackendChoice { backendOption.backend }

    func validate() throws {
        guard (reference == nil) != (task == nil || obs == nil) else {
            throw ValidationError("give --reference FILE, or --task T --obs N")
        }
        guard count >= 10 else { throw ValidationError("--count must be at least 10") }
    }

    func run() throws {
        try reportingErrors("eval") {
            let start = Date()
            let x = try first(count, of: readMatrix(samples))
            let ref = try first(count, of: reference.map(readMatrix) ?? SBIBM.referenceSamples(task: task!, number: obs!))
            for (m, name) in [(x, samples), (ref, reference ?? "the reference")] where !m.values.allSatisfy(\.isFinite) {
                throw DataError(file: name, reason: "holds NaN or ±∞")
            }
            var c2st = C2ST(backend: backend.compiler)
            c2st.seed = seed
            let classifier = try c2st(x, reference: ref)
            var result: [String: Any] = [
                "c2st": classifier.accuracy, "c2st_folds": classifier.foldAccuracies, "c2st_epochs": classifier.epochs,
                "c2st_concurrent_folds": classifier.concurrentFolds,
                "samples": x.rows, "reference_samples": ref.rows, "dimensions": x.columns, "seed": seed,
                "reference": reference ?? "sbibm \(task!) observation \(obs!)",
            ]
            if !noMMD {
                let mmd = try MMD.compute(x, reference: ref)
                // Squared distances of values near 1e155 and beyond overflow a 64-bit float.
                guard mmd.mmd2.isFinite, mmd.bandwidth.isFinite else {
                    throw DataError(file: samples, reason: "the MMD is not a finite number: the squared distances between samples "
                                    + "overflow a 64-bit float; rescale the samples, or pass --no-mmd")
                }
                result["mmd2"] = mmd.mmd2
                result["mmd_bandwidth"] = mmd.bandwidth
                result["mmd_bandwidth_rule"] = "median pairwise distance of the reference samples"
            }
            guard classifier.accuracy.isFinite else { throw DataError(file: samples, reason: "C2ST accuracy is \(classifier.accuracy)") }
            result["seconds"] = Date().timeIntervalSince(start)
            let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: json, as: UTF8.self))
        }
    }
}

private func first(_ n: Int, of m: Matrix) -> Matrix {
    m.rows <= n ? m : m.selectingRows(0..<n)
}
