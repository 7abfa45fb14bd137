import Datasets
import Foundation
import IR
import Passes
import Random
import Runtime

/// The classifier two-sample test as sbibm 1.1.0 computes it: both sets z-scored by the
/// reference's mean and standard deviation, an MLP with two hidden layers of 10·dim ReLU units
/// trained as scikit-learn's `MLPClassifier` (Adam, learning rate 10⁻³, L2 10⁻⁴, batches of
/// min(200, n), stopping once the training loss has failed to improve by 10⁻⁴ for more than 10
/// epochs), 5-fold shuffled cross-validation, mean accuracy. 0.5: indistinguishable; 1: disjoint.
///
/// The classifier is compiled by sbic's own pipeline and run on the given back end. Two
/// differences from scikit-learn, both minor: each epoch leaves out the last partial batch
/// (the compiled batch is fixed), and Adam's ε is added to √v̂ rather than to √v.
public struct C2ST {
    public var folds = 5
    public var seed: UInt64 = 1
    public var learningRate = 1e-3
    public var l2 = 1e-4
    public var tolerance = 1e-4
    public var patience = 10
    public var maxEpochs = 10_000
    /// How many folds are trained at once, each on a thread of its own.
    public var concurrency = ProcessInfo.processInfo.activeProcessorCount
    public var backend: BackendCompiler

    public init(backend: @escaping BackendCompiler) { self.backend = backend }

    public struct Result: Sendable {
        public var accuracy: Double
        public var foldAccuracies: [Double]
        public var epochs: [Int]
        /// The most folds that were being trained at the same moment.
        public var concurrentFolds: Int
    }

    public func callAsFunction(_ samples: Matrix, reference: Matrix) throws -> Result {
        guard samples.columns == reference.columns else {
            throw EvaluationError("the samples have \(samples.columns) columns, the reference \(reference.columns)")
        }
        let d = reference.columns
        guard samples.rows >= folds, reference.rows >= folds else { throw EvaluationError("need at least \(folds) samples in each set") }
        // z-score by the reference (sbibm's `X`): mean and unbiased standard deviation.
        var features = [Float]()
        features.reserveCapacity((samples.rows + reference.rows) * d)
        let mean = (0..<d).map { c in reference.column(c).reduce(0, +) / Double(reference.rows) }
        let std = (0..<d).map { c -> Double in
            let s = (reference.column(c).reduce(0) { $0 + ($1 - mean[c]) * ($1 - mean[c]) } / Double(reference.rows - 1)).squareRoot()
            return s > 0 ? s : 1
        }
        // A z-score beyond ±100 is clamped there. A failed model can draw samples 10⁴⁰ standard
        // deviations out, which float32 cannot hold and which make the classifier's loss
        // overflow; at 10⁴ the classifier still trained poorly on them (0.98 where 100 gives
        // 1.00). At most one reference sample in 10⁴ lies beyond 100 standard deviations
        // (Chebyshev), and a clamped sample is as easy to tell from the reference.
        let bound = 1e2
        for m in [reference, samples] {
            for r in 0..<m.rows {
                for c in 0..<d { features.append(Float(min(max((m[r, c] - mean[c]) / std[c], -bound), bound))) }
            }
        }
        let labels = [Float](repeating: 0, count: reference.rows) + [Float](repeating: 1, count: samples.rows)
        let n = labels.count

        var order = Array(0..<n)
        var rng = RandomStream(seed: seed, stream: "c2st.folds")
        rng.shuffle(&order)
        // KFold: the first n % folds folds hold one more row.
        let splits = (0..<folds).map { k -> (train: [Int], test: [Int]) in
            let start = k * (n / folds) + min(k, n % folds), size = n / folds + (k < n % folds ? 1 : 0)
            return (Array(order[..<start] + order[(start + size)...]), Array(order[start..<start + size]))
        }
        // The folds are independent: each starts from its own weights and random stream, so
        // which worker trains it, and when, changes no digit of its result. Worker w trains
        // folds w, w + workers, ...; its classifiers are compiled here, before the threads
        // start, one per training batch size it needs.
        let workers = max(1, min(concurrency, folds))
        var classifiers = [[Int: Classifier]](repeating: [:], count: workers)
        for k in 0..<folds {
            let batch = min(200, splits[k].train.count)
            if classifiers[k % workers][batch] == nil { classifiers[k % workers][batch] = try classifier(features: d, batch: batch) }
        }
        let (compiled, x, outcomes) = (classifiers, features, FoldOutcomes(folds))
        let threads = (0..<workers).map { w in
            Thread { [self] in
                for k in stride(from: w, to: folds, by: workers) {
                    outcomes.begin()
                    let classifier = compiled[w][min(200, splits[k].train.count)]!
                    outcomes.end(k, Swift.Result { try fit(classifier, x, labels, d: d, train: splits[k].train, test: splits[k].test,
                                                             fold: UInt64(k)) })
                }
            }
        }
        threads.forEach { $0.start() }
        outcomes.waitForAll()
        let results = try outcomes.results.map { try $0!.get() }
        return Result(accuracy: results.map(\.0).reduce(0, +) / Double(folds), foldAccuracies: results.map(\.0),
                      epochs: results.map(\.1), concurrentFolds: outcomes.mostAtOnce)
    }

    /// Trains the classifier afresh (weights and optimizer state) on one fold's training rows
    /// and returns its accuracy on the test rows and the epochs it took.
    private func fit(_ classifier: Classifier, _ x: [Float], _ labels: [Float], d: Int, train: [Int], test: [Int],
                     fold: UInt64) throws -> (Double, Int) {
        let (batch, step, predict) = (classifier.batch, classifier.step, classifier.predict)
        var rng = RandomStream(seed: seed, stream: "c2st.fit").substream(fold)
        classifier.parameters.initialize { rng.normal() }
        step.input(Interface.Inputs.learningRate)[0] = Float(learningRate)
        let (xIn, labelIn) = (step.input("x"), step.input("label"))

        var order = train
        var best = Double.infinity, stale = 0, epoch = 0
        while epoch < maxEpochs {
            epoch += 1
            rng.shuffle(&order)
            var sum = 0.0
            let batches = order.count / batch
            for b in 0..<batches {
                for i in 0..<batch {
                    let row = order[b * batch + i]
                    for j in 0..<d { xIn[i * d + j] = x[row * d + j] }
                    labelIn[i] = labels[row]
                }
                step.run()
                sum += Double(step.output(Interface.Outputs.loss)[0])
            }
            let loss = sum / Double(batches)
            guard loss.isFinite else { throw EvaluationError("the classifier's loss diverged") }
            // scikit-learn's rule: an epoch counts as no improvement unless it beats the best by tol.
            stale = loss > best - tolerance ? stale + 1 : 0
            best = min(best, loss)
            if stale > patience { break }
        }

        let p = predict.input("x").count / d
        let xPredict = predict.input("x")
        var correct = 0, first = 0
        while first < test.count {
            let count = min(p, test.count - first)
            for i in 0..<p {
                let row = test[first + min(i, count - 1)]
                for j in 0..<d { xPredict[i * d + j] = x[row * d + j] }
            }
            predict.run()
            let logits = predict.output("logit")
            for i in 0..<count where (logits[i] > 0) == (labels[test[first + i]] == 1) { correct += 1 }
            first += count
        }
        return (Double(correct) / Double(test.count), epoch)
    }

    /// The classifier for one training batch size, compiled for the back end once; the folds
    /// of one call share it (their training sets differ by a row at most).
    private struct Classifier {
        let batch: Int
        let parameters: ParameterStore<Float>
        let step: Executable
        let predict: Executable
    }

    private func classifier(features: Int, batch: Int) throws -> Classifier {
        let lowered = try lowerClassifier(features: features, hidden: [10 * features, 10 * features], batch: batch,
                                          predictBatch: 1000, l2: l2)
        let adam = AdamWSettings(adamw: AdamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0), clipNorm: .infinity)
        let graph = try Compiler().compile(lowered: lowered, differentiating: [Interface.Programs.trainStep], optimizer: adam).0
        let parameters = ParameterStore<Float>(graph)
        let executables = try backend([Interface.Programs.trainStep, "predict"].map { graph.program($0)! }, parameters)
        return Classifier(batch: batch, parameters: parameters, step: executables[0], predict: executables[1])
    }
}

/// The folds' results as the threads finish them, and how many folds were in training at once.
private final class FoldOutcomes: @unchecked Sendable {
    private let condition = NSCondition()
    private(set) var results: [Result<(Double, Int), Error>?]
    private var running = 0, finished = 0
    private(set) var mostAtOnce = 0

    init(_ folds: Int) { results = Array(repeating: nil, count: folds) }

    func begin() {
        condition.lock(); defer { condition.unlock() }
        running += 1
        mostAtOnce = max(mostAtOnce, running)
    }

    func end(_ fold: Int, _ result: Result<(Double, Int), Error>) {
        condition.lock(); defer { condition.unlock() }
        running -= 1
        finished += 1
        results[fold] = result
        condition.broadcast()
    }

    func waitForAll() {
        condition.lock(); defer { condition.unlock() }
        while finished < results.count { condition.wait() }
    }
}

public struct EvaluationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
