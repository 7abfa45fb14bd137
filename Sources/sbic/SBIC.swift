import ArgumentParser
import Spec

@main
struct SBIC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sbic",
        abstract: "A compiler for the variational autoencoders of simulation-based inference.",
        discussion: """
            Write a model as JSON (docs/spec.md), compile it, train it on simulations, and draw \
            posterior samples:

              sbic train specs/two_moons_cpvae.json --out models/two_moons
              sbic sample models/two_moons --obs 1 -n 10000 --out samples.csv
            """,
        version: "sbic \(sbicVersion)",
        subcommands: [Compile.self, Simulate.self, Train.self, Sample.self, LogProb.self, Info.self, Eval.self, Reproduce.self,
                      Plot.self, Curves.self, Predictive.self, Calibrate.self, Bench.self])

    static func main() {
        OpenBLASEnvironment.configure()
        main(nil)
    }
}
