import ArgumentParser
import Datasets
import Foundation

// Helpers shared by the commands that draw figures or number their outputs.

/// A matrix and, for a CSV file with one, its header (a .npy file has none).
func readTable(_ path: String) throws -> CSV.Table {
    guard URL(fileURLWithPath: path).pathExtension.lowercased() == "csv" else {
        return CSV.Table(header: nil, matrix: try readMatrix(path))
    }
    try checkMemoryToRead([path])
    return try CSV.readTable(path)
}

/// `path` with "_label" before its extension when there are several outputs of one kind:
/// samples.csv → samples_3.csv.
func numberedPath(_ path: String, label: Int, of count: Int) -> String {
    guard count > 1 else { return path }
    let url = URL(fileURLWithPath: path)
    return url.deletingPathExtension().path + "_\(label)." + url.pathExtension
}

/// Refuses an output name that is not .svg before any work is done, not after.
func requireSVG(_ path: String) throws {
    guard URL(fileURLWithPath: path).pathExtension.lowercased() == "svg" else {
        throw ValidationError("\(path): figures are written as SVG; give a file name ending in .svg")
    }
}

/// "0.1,-2,3e-2" → numbers.
func parseValues(_ text: String) throws -> [Double] {
    try text.split(separator: ",").map {
        guard let value = Double($0.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw ValidationError("\"\(text)\" is not a comma-separated list of numbers")
        }
        return value
    }
}
