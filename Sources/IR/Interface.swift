/// The names by which the compiler and the runtime agree on a graph: the programs lowering
/// writes, and the inputs and outputs that the passes add and the trainer, the sampler and the
/// back ends bind. Everything that writes or reads one of them uses these constants.
public enum Interface {
    /// The programs of a model's graph.
    public enum Programs {
        /// One optimizer step on a batch: the data, the noise and `Inputs.learningRate` in,
        /// the batch's mean loss (`Outputs.loss`) out.
        public static let trainStep = "train_step"
        /// The batch's mean loss and its gradient for every weight, without a step.
        public static let gradients = "gradients"
        /// The loss of each example of a batch (`Outputs.exampleLoss`), for validation.
        public static let loss = "loss"
        /// One observation and a batch of noise in, that many samples of the target out.
        public static let sample = "sample"
        /// A batch of rows of θ and y, and noise for the latent variables, in; the log of one
        /// importance weight per row (`Outputs.logDensity`) out, in the scaled space of the
        /// data: log p(θ | y) exactly where the sampling path has no latent variable, else
        /// log p(θ, z | y) − log q(z | …) at z drawn from the training source of each latent
        /// variable (the IWAE weight, whose mean over z is p(θ | y)).
        public static let logDensity = "log_density"
        /// The programs training runs; they read the same noise.
        public static let training = [trainStep, loss]
        /// The programs whose `Outputs.loss` autodiff differentiates.
        public static let differentiated = [trainStep, gradients]
    }

    /// Outputs, beside the sample program's, which is named for the target variable.
    public enum Outputs {
        /// The batch's mean loss, a scalar.
        public static let loss = "loss"
        /// The loss of each example, [batch].
        public static let exampleLoss = "example_loss"
        /// One log importance weight per row, [batch], in `Programs.logDensity`.
        public static let logDensity = "log_density"
        /// The global norm of the gradients before clipping, which `train_step` reports.
        public static let gradientNorm = "grad_norm"
        /// The gradient of the loss with respect to `weight`, in `gradients`.
        public static func gradient(of weight: String) -> String { gradientPrefix + weight }
        public static let gradientPrefix = "grad."
    }

    /// Inputs, beside the data variables (named as in the spec).
    public enum Inputs {
        /// The optimizer's learning rate, a scalar input of `train_step`, so that a run can
        /// override the spec's without recompiling.
        public static let learningRate = "adamw.learning_rate"
        /// The standard-normal noise that drives the reparameterized sample of `variable`.
        public static func noise(_ variable: String) -> String { noisePrefix + variable }
        /// Whether input `name` is noise of a distribution the runtime draws and feeds
        /// (`NoiseDistribution`: `noise.<variable>` or `noise.<variable>.<kind>`).
        public static func isNoise(_ name: String) -> Bool { NoiseDistribution(noiseInput: name) != nil }
        static let noisePrefix = "noise."
    }
}
