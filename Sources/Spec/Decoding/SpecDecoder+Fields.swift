/// A value and its path: what every decoding step works on.
struct Field {
    let value: JSONValue
    let path: JSONPath
}

/// An object's members once duplicate keys have been reported: the first occurrence of
/// each key, in document order.
struct Members {
    let entries: [(key: String, field: Field)]

    subscript(key: String) -> Field? {
        entries.first { $0.key == key }?.field
    }
}

/// The ranges that numbers of the language must lie in.
enum Bound {
    case positive
    case nonNegative
    case openUnit
    case halfOpenUnit
    case closed(ClosedRange<Double>)

    func contains(_ x: Double) -> Bool {
        switch self {
        case .positive: x > 0
        case .nonNegative: x >= 0
        case .openUnit: x > 0 && x < 1
        case .halfOpenUnit: x >= 0 && x < 1
        case .closed(let range): range.contains(x)
        }
    }

    var requirement: String {
        switch self {
        case .positive: "greater than 0"
        case .nonNegative: "at least 0"
        case .openUnit: "in (0, 1)"
        case .halfOpenUnit: "in [0, 1)"
        case .closed(let range): "in [\(range.lowerBound.shortDescription), \(range.upperBound.shortDescription)]"
        }
    }
}

/// Reading typed values out of fields; each reader reports what is wrong and returns nil.
extension SpecDecoder {
    /// Sizes, widths, batch sizes and epoch counts never exceed 2³¹ − 1, so that back ends
    /// may use 32-bit indices and products of two of them cannot overflow.
    static let maximumCount = Int(Int32.max)

    mutating func members(_ field: Field) -> Members? {
        guard case .object(let list) = field.value.kind else {
            return mismatch(field, expected: "an object")
        }
        var firstLocation: [String: SourceLocation] = [:]
        var entries: [(key: String, field: Field)] = []
        for member in list {
            let path = field.path.member(member.key)
            if let first = firstLocation[member.key] {
                log.error("duplicate key \(quoted(member.key)) (first at \(first))",
                          at: path, location: member.keyLocation)
            } else {
                firstLocation[member.key] = member.keyLocation
                entries.append((member.key, Field(value: member.value, path: path)))
            }
        }
        return Members(entries: entries)
    }

    /// An object whose keys are fixed by `schema`: unknown and missing keys are reported.
    mutating func record(_ field: Field, _ schema: KeySchema) -> Members? {
        guard let members = members(field) else { return nil }
        checkKeys(members, schema, at: field.path)
        return members
    }

    /// Reports the keys of `members` that `schema` does not allow, and those it requires that are missing.
    mutating func checkKeys(_ members: Members, _ schema: KeySchema, at path: JSONPath) {
        for (key, member) in members.entries where !schema.allowed.contains(key) {
            let hint = schema.suggestion(for: key).map { " (did you mean \(quoted($0))?)" } ?? ""
            log.error("unknown key \(quoted(key))\(hint)", at: member.path, anchor: .key)
        }
        for key in schema.required where members[key] == nil {
            log.error("missing required key \(quoted(key))", at: path)
        }
    }

    mutating func array(_ field: Field) -> [Field]? {
        guard case .array(let elements) = field.value.kind else {
            return mismatch(field, expected: "an array")
        }
        return elements.enumerated().map { Field(value: $1, path: field.path.element($0)) }
    }

    mutating func string(_ field: Field) -> String? {
        guard case .string(let text) = field.value.kind else {
            return mismatch(field, expected: "a string")
        }
        return text
    }

    /// An array of strings; nil unless every element is one.
    mutating func strings(_ field: Field) -> [String]? {
        guard let elements = array(field) else { return nil }
        let texts = elements.map { string($0) }
        return texts.contains(nil) ? nil : texts.compactMap { $0 }
    }

    /// A string from a closed set, such as an optimizer's name.
    mutating func choice(_ field: Field, from options: [String], what: String) -> String? {
        guard let text = string(field) else { return nil }
        guard options.contains(text) else {
            log.error("unknown \(what) \(quoted(text)) (expected \(listing(options, "or")))", at: field.path)
            return nil
        }
        return text
    }

    /// A positive integer no larger than `maximumCount`.
    mutating func count(_ field: Field) -> Int? {
        guard case .number(let number) = field.value.kind else {
            return mismatch(field, expected: "a positive integer")
        }
        if let value = number.integerValue, (1...Self.maximumCount).contains(value) {
            return value
        }
        if number.doubleValue > Double(Self.maximumCount) {
            log.error("must be at most \(Self.maximumCount), found \(number)", at: field.path)
        } else {
            log.error("must be a positive integer, found \(number)", at: field.path)
        }
        return nil
    }

    /// A number in `bound`. Literals beyond the range of Double, such as 1e999, are
    /// rejected rather than silently becoming infinite.
    mutating func number(_ field: Field, _ bound: Bound) -> Double? {
        guard case .number(let number) = field.value.kind else {
            return mismatch(field, expected: "a number")
        }
        let value = number.doubleValue
        guard value.isFinite else {
            log.error("\(number) is beyond the range of a 64-bit float", at: field.path)
            return nil
        }
        guard bound.contains(value) else {
            log.error("must be \(bound.requirement), found \(number)", at: field.path)
            return nil
        }
        return value
    }

    /// A list of exactly `count` numbers in `bound`, such as the two betas.
    mutating func numbers(_ field: Field, count: Int, _ bound: Bound, describing what: String) -> [Double]? {
        guard let elements = array(field) else { return nil }
        guard elements.count == count else {
            log.error("expected \(what), found \(elements.count) element\(elements.count == 1 ? "" : "s")",
                      at: field.path)
            return nil
        }
        let values = elements.map { number($0, bound) }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }

    /// Reports that `field` is not of the expected kind; returns nil for the caller to return.
    mutating func mismatch<T>(_ field: Field, expected: String) -> T? {
        log.error("expected \(expected), found \(field.value.kindDescription)", at: field.path)
        return nil
    }
}
