import Foundation

/// The sbibm reference data: observations, true parameters and reference posterior
/// samples of observations 1–5 of each task, laid out as `<root>/<task>/obs_<N>/*.csv`
/// (see shared/docs/tasks.md §0). Every file has one header line.
public enum SBIBM {
    /// Overrides the search for the data folder.
    public static let environmentVariable = "SBIC_SBIBM_DATA"

    /// Row 1: the observation x* of `task`, observation `number`.
    public static func observation(task: String, number: Int) throws -> Matrix {
        try read(task, "obs_\(number)/observation.csv", rows: 1)
    }

    /// Row 1: the parameters θ* that generated the observation.
    public static func trueParameters(task: String, number: Int) throws -> Matrix {
        try read(task, "obs_\(number)/true_parameters.csv", rows: 1)
    }

    /// 10,000 reference posterior samples, one per row.
    public static func referenceSamples(task: String, number: Int) throws -> Matrix {
        try read(task, "obs_\(number)/reference_posterior_samples.csv")
    }

    /// A task-level file such as `design_matrix.csv` or `gmm_loc.csv`.
    public static func taskFile(task: String, name: String) throws -> Matrix {
        try read(task, name)
    }

    /// The data folder: `$SBIC_SBIBM_DATA` when set, else the first existing candidate of
    /// `candidateDirectories()`.
    public static func dataDirectory() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let override = environment[environmentVariable], !override.isEmpty {
            guard isDirectory(override) else {
                throw DataError(file: override, reason: "\(environmentVariable) names this "
                                    + "folder, which does not exist")
            }
            return override
        }
        let candidates = candidateDirectories()
        guard let found = candidates.first(where: isDirectory) else {
            throw DataError(file: "sbibm reference data",
                            reason: "not found; looked in " + candidates.joined(separator: ", ")
                                + ". Set \(environmentVariable) to the folder that holds "
                                + "<task>/obs_<N>/.")
        }
        return found
    }

    /// Where the data is looked for without the environment variable: `shared/data/sbibm`
    /// in and beside the current directory, then in and beside the package that holds this
    /// source file (CI clones the repository with `shared/` beside it).
    public static func candidateDirectories(sourceFile: String = #filePath) -> [String] {
        let relative = "shared/data/sbibm"
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        // <package>/Sources/Datasets/SBIBM.swift
        let package = URL(fileURLWithPath: sourceFile)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let roots = [current, current.deletingLastPathComponent(),
                     package, package.deletingLastPathComponent()]
        var seen = Set<String>()
        return roots.map { $0.appendingPathComponent(relative).standardizedFileURL.path }
            .filter { seen.insert($0).inserted }
    }

    /// The file's numbers; with `rows`, a file of another number of rows is an error (a
    /// damaged observation file must not leave its callers an empty matrix to index).
    private static func read(_ task: String, _ file: String, rows: Int? = nil) throws -> Matrix {
        let root = try dataDirectory()
        let taskDirectory = URL(fileURLWithPath: root).appendingPathComponent(task).path
        let path = URL(fileURLWithPath: taskDirectory).appendingPathComponent(file).path
        // What is there, when what was asked for is not: the tasks, or the task's observations.
        if !FileManager.default.fileExists(atPath: path) {
            guard isDirectory(taskDirectory) else {
                throw DataError(file: root, reason: "no reference data for task \"\(task)\"; there is data for "
                                    + entries(of: root).filter { isDirectory(root + "/" + $0) }.joined(separator: ", "))
            }
            if file.hasPrefix("obs_") {
                let numbers = entries(of: taskDirectory).compactMap { $0.hasPrefix("obs_") ? Int($0.dropFirst(4)) : nil }.sorted()
                throw DataError(file: path, reason: "no such file: \(task) has observations "
                                    + (numbers.isEmpty ? "none" : ranges(numbers)))
            }
        }
        let matrix = try CSV.read(path, header: .present)
        if let rows, matrix.rows != rows {
            throw DataError(file: path, reason: "holds \(matrix.rows) rows, expected \(rows)")
        }
        return matrix
    }

    private static func entries(of directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// [1, 2, 3, 5] → "1–3, 5".
    public static func ranges(_ numbers: [Int]) -> String {
        var parts: [String] = []
        var start = 0
        for i in numbers.indices where i == numbers.count - 1 || numbers[i + 1] != numbers[i] + 1 {
            parts.append(start == i ? "\(numbers[i])" : "\(numbers[start])–\(numbers[i])")
            start = i + 1
        }
        return parts.joined(separator: ", ")
    }

    private static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory)
            && directory.boolValue
    }
}
