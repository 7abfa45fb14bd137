import Foundation
import Spec

/// An independent float64 evaluation of a spec's training loss, written with plain loops and
/// none of the compiler: networks as nested arrays, the loss as the paper writes it.
struct Reference {
    let spec: ModelSpec
    var weights: [String: [Double]]

    typealias Rows = [[Double]]

    /// The mean over the batch of Σ weight · term.
    func loss(data: [String: Rows], noise: [String: Rows]) -> Double {
        let batch = data.values.first!.count
        var total = 0.0
        for example in 0..<batch {
            var values = data.mapValues { $0[example] }
            var distributions: [String: (mean: [Double], logVariance: [Double])?] = [:]
            for name in spec.trainingOrder {
                let net = spec.network(name)!
                let d = distribution(net, values)
                distributions[name] = d
                if spec.trainingSources[net.output] == name {
                    let eps = noise[net.output]![example]
                    values[net.output] = d.map { d in eps.indices.map { d.mean[$0] + exp(0.5 * d.logVariance[$0]) * eps[$0] } } ?? eps
                }
            }
            for term in spec.loss {
                switch term {
                case let .kl(q, p, w):
                    let (mq, lq) = distributions[q]!!
                    var kl = 0.0
                    for i in mq.indices {
                        let (mp, lp) = distributions[p]!.map { ($0.mean[i], $0.logVariance[i]) } ?? (0, 0)
                        kl += 0.5 * (lp - lq[i] + (exp(lq[i]) + (mq[i] - mp) * (mq[i] - mp)) / exp(lp) - 1)
                    }
                    total += w * kl
                case let .nll(n, w):
                    let (m, l) = distributions[n]!!
                    let x = values[spec.network(n)!.output]!
                    var nll = 0.0
                    for i in m.indices { nll += 0.5 * (l[i] + (x[i] - m[i]) * (x[i] - m[i]) / exp(l[i]) + log(2 * Double.pi)) }
                    total += w * nll
                }
            }
        }
        return total / Double(batch)
    }

    /// One posterior sample per row of `noise`: the sampling path run from the observation, each
    /// variable drawn as μ + exp(½ log σ²) ε, or ε where the network is N(0, I).
    func sample(observation: [Double], noise: [String: Rows]) -> Rows {
        let count = noise.values.first!.count
        return (0..<count).map { row in
            var values = [spec.sampling.given: observation]
            for name in spec.sampling.path {
                let net = spec.network(name)!
                let eps = noise[net.output]![row]
                values[net.output] = distribution(net, values).map { d in
                    eps.indices.map { d.mean[$0] + exp(0.5 * d.logVariance[$0]) * eps[$0] }
                } ?? eps
            }
            return values[spec.sampling.target]!
        }
    }

    func distribution(_ net: Network, _ values: [String: [Double]]) -> (mean: [Double], logVariance: [Double])? {
        guard net.distribution == .gaussian else { return nil }
        var h = net.inputs.flatMap { values[$0]! }
        for layer in net.hidden.indices { h = dense(h, "\(net.name).layer\(layer)").map { activate($0, net.activation) } }
        let range = spec.logVarianceRange
        return (dense(h, "\(net.name).mean"),
                dense(h, "\(net.name).log_variance").map { min(max($0, range.lowerBound), range.upperBound) })
    }

    func dense(_ x: [Double], _ layer: String) -> [Double] {
        let w = weights[layer + ".weight"]!, b = weights[layer + ".bias"]!
        let out = b.count
        return (0..<out).map { j in b[j] + x.indices.reduce(0) { $0 + x[$1] * w[$1 * out + j] } }
    }

    func activate(_ x: Double, _ a: Activation) -> Double {
        switch a {
        case .leakyReLU(let slope): return x > 0 ? x : slope * x
        case .relu: return max(x, 0)
        case .op(.tanh): return tanh(x)
        case .op(.sigmoid): return 1 / (1 + exp(-x))
        case .op(.softplus): return log1p(exp(x))
        case .op(let other): preconditionFailure("the reference has no \(other.name)")
        }
    }

    /// Central finite differences of `loss` in every weight.
    func gradients(data: [String: Rows], noise: [String: Rows]) -> [String: [Double]] {
        var copy = self
        var result: [String: [Double]] = [:]
        for (name, values) in weights {
            result[name] = values.indices.map { k in
                let h = 1e-6
                copy.weights[name]![k] = values[k] + h
                let up = copy.loss(data: data, noise: noise)
                copy.weights[name]![k] = values[k] - h
                let down = copy.loss(data: data, noise: noise)
                copy.weights[name]![k] = values[k]
                return (up - down) / (2 * h)
            }
        }
        return result
    }

    /// One step of PyTorch's AdamW from zero moments at step 1, after clip_grad_norm_.
    static func adamw(_ weights: [String: [Double]], _ gradients: [String: [Double]], training t: Training,
                      learningRate lr: Double) -> (weights: [String: [Double]], norm: Double) {
        let norm = gradients.values.joined().reduce(0) { $0 + $1 * $1 }.squareRoot()
        let scale = min(1, t.clipNorm / (norm + 1e-6))
        var updated = weights
        for (name, g) in gradients {
            updated[name] = zip(weights[name]!, g).map { p, g in
                let g = g * scale
                let m = (1 - t.beta1) * g, v = (1 - t.beta2) * g * g
                let mHat = m / (1 - t.beta1), vHat = v / (1 - t.beta2)
                return p * (1 - lr * t.weightDecay) - lr * mHat / (vHat.squareRoot() + t.epsilon)
            }
        }
        return (updated, norm)
    }
}
