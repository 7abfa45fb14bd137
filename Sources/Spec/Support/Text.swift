// Small text utilities for messages and name rules.

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// `text` as a JSON string literal, for messages that name a key or value.
func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default:
            result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}

extension Double {
    /// The value for a message, integral ones without a trailing ".0".
    var shortDescription: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}

/// `"a"`, `"a" or "b"`, `"a", "b" or "c"`: quoted items for a message, joined by
/// `conjunction`.
func listing(_ items: [String], _ conjunction: String) -> String {
    let items = items.map(quoted)
    guard let last = items.last else { return "" }
    if items.count == 1 { return last }
    return items.dropLast().joined(separator: ", ") + " \(conjunction) " + last
}

/// The number of single-character insertions, deletions and substitutions that turn
/// `a` into `b`, used to suggest the key that was probably meant.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var row = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            row[j] = min(previous[j] + 1, row[j - 1] + 1,
                         previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = row
    }
    return previous[b.count]
}

/// The name among `names` that `name` was probably meant to be: the same but for case, or
/// at most a third of its letters (at least one) away by edits. Ties go to the earlier name.
public func suggestion(for name: String, among names: [String]) -> String? {
    // Long names are no typos; skipping them also bounds the work on hostile input.
    guard name.count <= 64 else { return nil }
    let lowered = name.lowercased()
    let limit = max(1, name.count / 3)
    return names
        .map { (name: $0, distance: $0.lowercased() == lowered ? 0 : editDistance(name, $0)) }
        .filter { $0.distance <= limit }
        .min { $0.distance < $1.distance }?
        .name
}

/// "; did you mean "theta"?", or nothing when no name is close. A name of one or two
/// letters is near every other short name, so it gets no suggestion.
func didYouMean(_ name: String, among names: [String]) -> String {
    guard name.count >= 3 else { return "" }
    return suggestion(for: name, among: names).map { "; did you mean \(quoted($0))?" } ?? ""
}
