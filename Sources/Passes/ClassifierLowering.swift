import IR

/// A binary classifier as scikit-learn's `MLPClassifier` builds it: ReLU hidden layers and one
/// logit, Glorot-uniform weights and biases, trained on the mean binary cross-entropy plus
/// ½·α·Σ‖W‖² / batch (the penalty on weights, not biases). Programs:
///   - `train_step`: inputs `x` [batch, features] and `label` [batch, 1] (0 or 1), output `loss`;
///   - `predict`: input `x` [predictBatch, features], output `logit` [predictBatch, 1].
public func lowerClassifier(features: Int, hidden: [Int], batch: Int, predictBatch: Int, l2: Double) throws -> Graph {
    let layers = hidden.indices.map { "classifier.layer\($0)" } + ["classifier.logit"]
    var parameters: [Parameter] = []
    var fanIn = features
    for (name, width) in zip(layers, hidden + [1]) {
        parameters.append(Parameter(name: name + ".weight", kind: .weight, shape: [fanIn, width],
                                    initializer: .glorotUniform(fanIn: fanIn, fanOut: width)))
        parameters.append(Parameter(name: name + ".bias", kind: .weight, shape: [width],
                                    initializer: .glorotUniform(fanIn: fanIn, fanOut: width)))
        fanIn = width
    }
    func logit(_ b: inout Builder, _ x: Int) throws -> Int {
        var h = x
        for (i, name) in layers.enumerated() {
            h = try b.add(.addBias, [b.add(.matmul(transposeA: false, transposeB: false), [h, b.parameter(name + ".weight")]),
                                     b.parameter(name + ".bias")])
            if i < hidden.count { h = try b.unary(.leakyReLU(slope: 0), h) }
        }
        return h
    }

    var train = Builder(Program(name: Interface.Programs.trainStep), parameters: parameters)
    let x = try train.input("x", [batch, features])
    let label = try train.input("label", [batch, 1])
    // Cross-entropy of a logit: softplus(c) − label·c. scikit-learn clips probabilities to
    // [ε, 1 − ε] (ε of float64), i.e. logits to ±36; the clamp does the same and keeps exp finite.
    let c = try train.unary(.clamp(low: -36, high: 36), logit(&train, x))
    let crossEntropy = try train.sub(train.unary(.log, train.add(train.unary(.exp, c), constant: 1)), train.mul(label, c))
    var loss = try train.mul(train.add(.sum(axis: nil), [crossEntropy]), constant: 1 / Float(batch))
    for p in parameters where p.name.hasSuffix(".weight") {
        let squares = try train.add(.sum(axis: nil), [train.unary(.square, train.parameter(p.name))])
        loss = try train.add(loss, train.mul(squares, constant: Float(0.5 * l2 / Double(batch))))
    }
    train.output(Interface.Outputs.loss, loss)

    var predict = Builder(Program(name: "predict"), parameters: parameters)
    predict.output("logit", try logit(&predict, predict.input("x", [predictBatch, features])))
    return Graph(name: "classifier", parameters: parameters, programs: [train.program, predict.program])
}
