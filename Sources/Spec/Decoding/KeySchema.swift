/// The keys an object of the language may hold, in the order the documentation lists
/// them. specs/schema.json declares the same keys; a test keeps the two in step.
struct KeySchema {
    let allowed: [String]
    let required: [String]

    /// The allowed key `key` was probably meant to be, if one is close enough.
    func suggestion(for key: String) -> String? { Spec.suggestion(for: key, among: allowed) }
}

extension KeySchema {
    static let document = KeySchema(
        allowed: ["$schema", "name", "task", "description", "variables", "networks", "activation",
                  "log_variance_range", "loss", "sample", "training"],
        required: ["name", "variables", "networks", "loss", "sample"])

    static let network = KeySchema(
        allowed: ["inputs", "hidden", "output", "activation"],
        required: ["output"])

    /// A term holds exactly one of "kl" and "nll"; that rule is checked separately.
    static let lossTerm = KeySchema(
        allowed: ["kl", "nll", "weight"],
        required: [])

    static let sample = KeySchema(
        allowed: ["given", "path", "target", "batch_size"],
        required: ["given", "path", "target"])

    static let training = KeySchema(
        allowed: ["optimizer", "learning_rate", "weight_decay", "betas", "epsilon", "batch_size",
                  "max_epochs", "patience", "clip_norm", "validation_fraction", "init", "scaling"],
        required: [])

    static let leakyReLU = KeySchema(
        allowed: ["leaky_relu"],
        required: ["leaky_relu"])
}
