import Datasets
import Foundation

/// A prior for a user's own simulator, written as JSON (docs/training.md): either a box,
///
///     {"lower": [-1, 0, 0.1], "upper": [1, 5, 10]}
///
/// or one distribution per parameter, in θ's column order, each optionally named:
///
///     [{"name": "mu", "uniform": [-1, 1]},
///      {"name": "log_sigma", "normal": [0, 1]},
///      {"name": "c", "log_normal": [0, 0.5]}]
///
/// `normal` takes a mean and a standard deviation; `log_normal` the mean and standard
/// deviation of log θ. The same list form is what model.json records.
public struct NamedPrior: Sendable {
    public var prior: Prior
    /// The parameters' names, when every one of them is named.
    public var names: [String]?

    public init(prior: Prior, names: [String]?) { self.prior = prior; self.names = names }

    public static func read(_ path: String) throws -> NamedPrior {
        try parse(try readFile(path), file: path)
    }

    public static func parse(_ data: Data, file: String) throws -> NamedPrior {
        guard let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw DataError(file: file, reason: "not JSON")
        }
        func failure(_ field: String?, _ reason: String) -> DataError { DataError(file: file, field: field, reason: reason) }
        func numbers(_ value: Any?, _ field: String) throws -> [Double] {
            guard let list = value as? [Any] else { throw failure(field, "expected a list of numbers") }
            return try list.enumerated().map { i, item in
                guard let number = jsonNumber(item), number.isFinite else {
                    throw failure("\(field)[\(i)]", "\(item) is not a finite number")
                }
                return number
            }
        }
        if let box = json as? [String: Any] {
            for key in box.keys.sorted() where key != "lower" && key != "upper" {
                throw failure(key, "unknown key: a box prior has \"lower\" and \"upper\"; one distribution per parameter is a list")
            }
            let lower = try numbers(box["lower"], "lower"), upper = try numbers(box["upper"], "upper")
            guard lower.count == upper.count, !lower.isEmpty else {
                throw failure(nil, "lower has \(lower.count) bounds and upper \(upper.count); they must have the same, at least one")
            }
            if let i = lower.indices.first(where: { !(lower[$0] < upper[$0]) }) {
                throw failure("lower[\(i)]", "\(lower[i]) is not below upper[\(i)] = \(upper[i])")
            }
            return NamedPrior(prior: Prior.independent(zip(lower, upper).map { .uniform(lower: $0, upper: $1) })!, names: nil)
        }
        guard let list = json as? [Any], !list.isEmpty else {
            throw failure(nil, "expected a box {\"lower\": [...], \"upper\": [...]} or a list of one distribution per parameter")
        }
        var marginals: [Prior.Marginal] = [], names: [String?] = []
        let kinds = ["uniform", "normal", "log_normal"]
        for (i, item) in list.enumerated() {
            guard let entry = item as? [String: Any] else { throw failure("[\(i)]", "expected an object such as {\"uniform\": [0, 1]}") }
            for key in entry.keys.sorted() where key != "name" && !kinds.contains(key) {
                throw failure("[\(i)].\(key)", "unknown key; a parameter has a name and one of uniform, normal or log_normal")
            }
            let given = kinds.filter { entry[$0] != nil }
            guard given.count == 1, let kind = given.first else {
                throw failure("[\(i)]", "give exactly one of uniform, normal or log_normal")
            }
            let field = "[\(i)].\(kind)"
            let values = try numbers(entry[kind], field)
            guard values.count == 2 else { throw failure(field, "expected two numbers, not \(values.count)") }
            switch kind {
            case "uniform":
                guard values[0] < values[1] else { throw failure(field, "the lower bound \(values[0]) is not below the upper \(values[1])") }
                marginals.append(.uniform(lower: values[0], upper: values[1]))
            case "normal", "log_normal":
                guard values[1] > 0 else { throw failure(field, "the standard deviation \(values[1]) is not positive") }
                marginals.append(kind == "normal" ? .normal(mean: values[0], sd: values[1]) : .logNormal(mu: values[0], sigma: values[1]))
            case let other: preconditionFailure("unhandled prior kind \(other)")
            }
            if let name = entry["name"] {
                guard let text = name as? String, !text.isEmpty, !text.contains(",") else {
                    throw failure("[\(i)].name", "a name is a non-empty string without commas")
                }
                names.append(text)
            } else {
                names.append(nil)
            }
        }
        let all = names.compactMap { $0 }
        return NamedPrior(prior: Prior.independent(marginals)!, names: all.count == names.count ? all : nil)
    }

    /// The list form, as model.json records it.
    public var json: [[String: Any]] {
        let marginals: [Prior.Marginal]
        switch prior.family {
        case .independent(let given): marginals = given
        case .uniform(let lower, let upper): marginals = zip(lower, upper).map { .uniform(lower: $0, upper: $1) }
        case .logNormal(let mu, let sigma): marginals = zip(mu, sigma).map { .logNormal(mu: $0, sigma: $1) }
        case .gaussian(let mean, let covariance):
            // Only diagonal Gaussians are independent marginals; the built-in tasks' priors
            // are not recorded this way, since a model names its task instead.
            let d = mean.count
            marginals = (0..<d).map { .normal(mean: mean[$0], sd: covariance[$0 * d + $0].squareRoot()) }
        }
        return marginals.enumerated().map { i, marginal in
            var entry: [String: Any]
            switch marginal {
            case .uniform(let lower, let upper): entry = ["uniform": [lower, upper]]
            case .normal(let mean, let sd): entry = ["normal": [mean, sd]]
            case .logNormal(let mu, let sigma): entry = ["log_normal": [mu, sigma]]
            }
            if let names { entry["name"] = names[i] }
            return entry
        }
    }
}

extension NamedPrior: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let list = try container.decode([Entry].self)
        let json = try JSONEncoder().encode(list)
        do {
            self = try NamedPrior.parse(json, file: "prior")
        } catch let error as DataError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: Encoder) throws {
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        var container = encoder.singleValueContainer()
        try container.encode(try JSONDecoder().decode([Entry].self, from: data))
    }

    /// One entry of the list form, for Codable.
    private struct Entry: Codable {
        var name: String?
        var uniform: [Double]?
        var normal: [Double]?
        var logNormal: [Double]?
        enum CodingKeys: String, CodingKey { case name, uniform, normal, logNormal = "log_normal" }
    }
}
