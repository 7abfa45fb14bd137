import ArgumentParser
import Datasets
import Foundation
import Plots
import Training

struct Curves: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plot the training and validation loss per epoch (SVG).",
        discussion: """
            Reads MODEL/train.jsonl, the log `sbic train` writes, and marks the best epoch (the one \
            whose weights the model keeps). When a directory was trained more than once with \
            --overwrite, the log holds every run; the last one is plotted.
            """)

    @Argument(help: "A model directory, or its train.jsonl.")
    var log: String

    @Option(help: "Title above the plot (default: the model directory's name).")
    var title: String?

    @Option(name: .shortAndLong, help: "Output file (.svg).")
    var out = "curves.svg"

    func validate() throws { try requireSVG(out) }

    func run() throws {
        try reportingErrors("curves") {
            var isDirectory: ObjCBool = false
            let directory = FileManager.default.fileExists(atPath: log, isDirectory: &isDirectory) && isDirectory.boolValue
            let path = directory ? log + "/train.jsonl" : log
            let records = try lastRun(of: readTrainingLog(path))
            let model = URL(fileURLWithPath: directory ? log : URL(fileURLWithPath: path).deletingLastPathComponent().path)
            let curves = TrainingCurves(epochs: records.map(\.epoch), trainLoss: records.map(\.trainLoss),
                                        validationLoss: records.map(\.validationLoss), bestEpoch: records.last?.bestEpoch,
                                        title: title ?? model.lastPathComponent)
            try curves.render().write(to: out)
            print("wrote \(out) (\(records.count) epochs, best \(records.last?.bestEpoch ?? 0))")
        }
    }
}

/// The epochs of a JSON-lines training log, in file order; a malformed line is an error
/// that names it.
func readTrainingLog(_ path: String) throws -> [EpochRecord] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw DataError(file: path, reason: FileManager.default.fileExists(atPath: path) ? "unreadable" : "no such file")
    }
    let decoder = JSONDecoder()
    var records: [EpochRecord] = []
    for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    where !line.trimmingCharacters(in: .whitespaces).isEmpty {
        do {
            records.append(try decoder.decode(EpochRecord.self, from: Data(line.utf8)))
        } catch {
            throw DataError(file: path, row: index + 1, reason: "not an epoch record of sbic train")
        }
    }
    guard !records.isEmpty else { throw DataError(file: path, reason: "holds no epoch") }
    return records
}

/// The records after the last restart: training again into the same directory appends a run
/// whose epochs count from 1 again.
func lastRun(of records: [EpochRecord]) -> [EpochRecord] {
    let restart = records.indices.dropFirst().last { records[$0].epoch <= records[$0 - 1].epoch }
    return Array(records[(restart ?? 0)...])
}
