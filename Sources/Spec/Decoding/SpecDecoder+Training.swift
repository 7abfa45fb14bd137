import IR

extension SpecDecoder {
    /// The `training` object; every key is optional and defaults to `Training()`'s value.
    mutating func training(_ field: Field) -> Training {
        var training = Training()
        guard let members = record(field, .training) else { return training }

        func read<T>(_ key: String, _ reader: (inout SpecDecoder, Field) -> T?, into value: inout T) {
            if let field = members[key], let read = reader(&self, field) { value = read }
        }
        read("optimizer", { $0.choice($1, from: Training.optimizers, what: "optimizer") },
             into: &training.optimizer)
        read("learning_rate", { $0.number($1, .positive) }, into: &training.learningRate)
        read("weight_decay", { $0.number($1, .nonNegative) }, into: &training.weightDecay)
        // Adam's moment decay rates: 1 would never forget, and the bias correction
        // 1 − βᵗ would divide by zero.
        if let field = members["betas"],
           let betas = numbers(field, count: 2, .halfOpenUnit, describing: "[beta1, beta2]") {
            (training.beta1, training.beta2) = (betas[0], betas[1])
        }
        read("epsilon", { $0.number($1, .positive) }, into: &training.epsilon)
        read("batch_size", { $0.count($1) }, into: &training.batchSize)
        read("max_epochs", { $0.count($1) }, into: &training.maxEpochs)
        read("patience", { $0.count($1) }, into: &training.patience)
        read("clip_norm", { $0.number($1, .positive) }, into: &training.clipNorm)
        // Both the training and the validation share must be non-empty.
        read("validation_fraction", { $0.number($1, .openUnit) }, into: &training.validationFraction)
        read("init", { $0.choice($1, from: Training.initializations, what: "initialization") },
             into: &training.initialization)
        if let field = members["scaling"] { scaling(field, into: &training) }
        return training
    }

    /// `"standard"` for every data variable, or `{"y": "log_standard"}` per variable (the
    /// variables not named are scaled `"standard"`). The names are checked against the
    /// sample section later.
    private mutating func scaling(_ field: Field, into training: inout Training) {
        func choice(_ field: Field) -> Scaling? {
            self.choice(field, from: Scaling.allCases.map(\.rawValue), what: "scaling").flatMap(Scaling.init)
        }
        if case .object = field.value.kind {
            guard let members = members(field) else { return }
            for (variable, member) in members.entries {
                if let scaling = choice(member) { training.variableScaling[variable] = scaling }
            }
        } else if let scaling = choice(field) {
            training.scaling = scaling
        }
    }
}
