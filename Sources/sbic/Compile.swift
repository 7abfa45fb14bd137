import ArgumentParser
import Datasets
import Foundation
import IR
import Passes
import Spec

struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile specs to graphs (.sbig) and report what the compiler did.",
        discussion: """
            Regenerate every compiled graph of the repository with: sbic compile specs/*vae.json \
            (the paper's models, into generated/) and sbic compile specs/beyond/*.json -o generated/beyond.
            """)

    @Argument(help: "Spec files (JSON).", completion: .file(extensions: ["json"]))
    var specs: [String]

    @Option(name: .shortAndLong, help: "Directory for the .sbig files.")
    var output = "generated"

    @Flag(help: "Print the IR of every program after compiling.")
    var printIR = false

    @Flag(help: "Print the IR after every pass.")
    var printAfterAll = false

    @Option(help: "Refuse graphs that need more memory than this (e.g. 512MiB, 8GiB; default: the machine's memory).",
            transform: parseByteCount)
    var memoryLimit: Int = Compiler.physicalMemory

    func validate() throws {
        guard !specs.isEmpty else { throw ValidationError("name at least one spec") }
    }

    func run() throws {
        var failed = false
        for path in specs {
            do {
                try compile(path)
            } catch {
                failed = true
                printError(error, context: path)
            }
        }
        if failed { throw ExitCode.failure }
    }

    private func compile(_ path: String) throws {
        if URL(fileURLWithPath: path).pathExtension.lowercased() == "sbig" {
            throw DataError(file: path, reason: "is already a compiled graph; sbic compile takes a spec (.json). "
                            + "Train the graph with: sbic train \(path)")
        }
        let spec = try ModelSpec.load(path: path, tasks: builtInTasks)
        var options = Compiler.Options(memoryLimit: memoryLimit)
        if printAfterAll {
            options.afterEachPass = { pass, graph in print("; after \(pass)\n" + graph.text) }
        }
        let (graph, report) = try Compiler(options: options).compile(spec)
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let destination = (output as NSString).appendingPathComponent(name + ".sbig")
        do {
            try createDirectories(output)
            try AtomicFile.write(Data(graph.text.utf8), to: destination)
        } catch let error as DataError where error.file != destination {
            throw DataError(file: destination, reason: "cannot write: \(error)")
        }
        if printIR { print(graph.text) }
        print(report.text + "  wrote \(destination)")
    }
}

/// "4096", "512MiB", "8GiB", "1.5GB" → bytes.
func parseByteCount(_ text: String) throws -> Int {
    let units: [(String, Double)] = [("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
                                     ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1)]
    let unit = units.first { text.hasSuffix($0.0) } ?? ("", 1)
    guard let value = Double(text.dropLast(unit.0.count)), value > 0, value * unit.1 < 9e18 else {
        throw ValidationError("\"\(text)\" is not a size such as 512MiB or 8GiB")
    }
    return Int(value * unit.1)
}

/// The body of a command's `run()`. A `ValidationError` (shown with the usage) and an `ExitCode`
/// (130 after an interrupt) reach ArgumentParser as they are; any other error is printed,
/// prefixed by `context`, and the command exits with status 1.
func reportingErrors(_ context: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ValidationError {
        throw error
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError(error, context: context)
        throw ExitCode.failure
    }
}

/// Errors go to standard error, one diagnostic per line.
func printError(_ error: Error, context: String) {
    var stderr = StandardError()
    let text = "\(error)"
    let prefixed = text.hasPrefix(context) ? text : "\(context): \(text)"
    print("error: " + prefixed.replacingOccurrences(of: "\n", with: "\nerror: "), to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
