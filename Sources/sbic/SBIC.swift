import ArgumentParser

@main
struct SBIC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sbic",
        abstract: "A compiler for the variational autoencoders of simulation-based inference.",
        discussion: """
            Write a model as JSON (docs/spec.md), compile it, train it on simulations, and draw \
            posterior samples:

              sbic compile specs/two_moons_cpvae.json
            """,
        subcommands: [Compile.self, Bench.self])

    static func main() {
        OpenBLASEnvironment.configure()
        main(nil)
    }
}
