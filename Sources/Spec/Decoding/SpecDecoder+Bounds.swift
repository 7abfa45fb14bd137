extension SpecDecoder {
    /// `"prior"`, or `[[lower, upper], …]`: one interval for every component, or one for all
    /// (the checker compares the count with the variable's size). Bounds are finite, within
    /// ±1e30 so that their difference stays finite in float32, and lower < upper.
    mutating func bounds(_ field: Field) -> BoundsDraft? {
        if case .string = field.value.kind {
            return choice(field, from: ["prior"], what: "bounds").map { _ in .prior }
        }
        guard case .array = field.value.kind, let elements = array(field) else {
            return mismatch(field, expected: #""prior" or a list of [lower, upper] pairs"#)
        }
        guard !elements.isEmpty else {
            log.error("give one [lower, upper] pair for every component, or one for all; found none", at: field.path)
            return nil
        }
        let intervals = elements.map { element -> ClosedRange<Double>? in
            guard let pair = numbers(element, count: 2, .closed(-1e30...1e30), describing: "a [lower, upper] pair") else { return nil }
            guard pair[0] < pair[1] else {
                log.error("the lower bound must be below the upper, found [\(pair[0].shortDescription), \(pair[1].shortDescription)]",
                          at: element.path)
                return nil
            }
            return pair[0]...pair[1]
        }
        return intervals.contains(nil) ? nil : .intervals(intervals.compactMap { $0 })
    }
}
