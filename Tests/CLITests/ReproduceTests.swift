import Foundation
import XCTest

final class ReproduceTests: XCTestCase {
    /// Seeds of one small model: 600 simulations, 2 epochs, 400 samples.
    private func sweep(seeds: String = "1,2") -> [String] {
        ["reproduce", "--tasks", "two_moons", "--models", "cpvae", "--budgets", "600", "--seeds", seeds,
         "--observations", "1-2", "--samples", "400", "--max-epochs", "2"]
    }

    /// The report's scores: everything but the Produced-by line (it names --out and --report)
    /// and the training times (wall clock).
    private func scores(_ report: String) throws -> String {
        let text = try String(contentsOfFile: report, encoding: .utf8)
        let section = try XCTUnwrap(text.range(of: "### C2ST")), times = try XCTUnwrap(text.range(of: "### Training time"))
        return String(text[section.lowerBound..<times.lowerBound])
    }

    func testReproductionResumesAndKeepsTheRestOfTheReport() throws {
        let dir = try SBIC.temporaryDirectory()
        let report = dir.appendingPathComponent("results.md").path, out = dir.appendingPathComponent("run").path
        try "# Results\n\nWritten by hand.\n".write(toFile: report, atomically: true, encoding: .utf8)
        let arguments = sweep(seeds: "1") + ["--out", out, "--report", report]
        var r = try SBIC.run(arguments)
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("two_moons cpvae 600 seed 1 obs 2: C2ST"), r.output)
        let runs = try String(contentsOfFile: out + "/runs/two_moons_cpvae_600_s1.jsonl", encoding: .utf8)
        XCTAssertEqual(runs.split(separator: "\n").count, 2)
        var text = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# Results\n\nWritten by hand.\n"), text)
        XCTAssertTrue(text.contains("### C2ST (0.5 is best), 600 simulations"), text)
        XCTAssertTrue(text.contains("| two_moons | "), text)
        // Every option that decides the results, in the form that runs again.
        XCTAssertTrue(text.contains("Produced by `sbic reproduce --specs specs --tasks two_moons --models cpvae --budgets 600 "
                                    + "--seeds 1 --observations 1,2 --samples 400 --backend jit --max-epochs 2 --out \(out) --report \(report)`"), text)

        // Everything is done: a second run computes nothing and rewrites the same section.
        r = try SBIC.run(arguments)
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertFalse(r.output.contains("obs 1: C2ST"), r.output)
        XCTAssertEqual(try String(contentsOfFile: report, encoding: .utf8), text)

        // A third observation reuses the trained model: only its score is added.
        r = try SBIC.run(arguments.map { $0 == "1-2" ? "1-3" : $0 })
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("obs 3: C2ST") && !r.output.contains("obs 1: C2ST") && !r.output.contains("epoch 1/2"), r.output)
        text = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertEqual(text.components(separatedBy: "<!-- reproduce:begin -->").count, 2, "one section, replaced")
    }

    /// The plan's lines, run by hand in reverse order from another directory and merged, give
    /// the tables that one process (--jobs 1) and two (--jobs 2) give.
    func testThePlanRunAnywhereMergesToTheSameTables() throws {
        let dir = try SBIC.temporaryDirectory()
        func paths(_ name: String) -> [String] {
            ["--out", dir.appendingPathComponent(name).path, "--report", dir.appendingPathComponent(name + ".md").path]
        }
        var r = try SBIC.run(sweep() + paths("serial") + ["--jobs", "1"])
        XCTAssertEqual(r.status, 0, r.error)
        r = try SBIC.run(sweep() + paths("jobs") + ["--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertTrue(r.output.contains("2 of 2 runs to do, 2 at a time"), r.output)
        XCTAssertEqual(r.output.components(separatedBy: " C2ST ").count - 1, 4, r.output)
        XCTAssertEqual(try scores(dir.appendingPathComponent("jobs.md").path), try scores(dir.appendingPathComponent("serial.md").path))

        r = try SBIC.run(sweep() + ["--out", dir.appendingPathComponent("plan").path, "--plan"])
        XCTAssertEqual(r.status, 0, r.error)
        let lines = r.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, r.output)
        XCTAssertTrue(lines[1].hasSuffix("--tasks two_moons --models cpvae --budgets 600 --seeds 2 --observations 1,2 --samples 400 "
                                          + "--backend jit --max-epochs 2 --jobs 1 --no-report"), lines[1])
        for line in lines.reversed() {
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", line + " > /dev/null"]
            shell.currentDirectoryURL = dir
            try shell.run()
            shell.waitUntilExit()
            XCTAssertEqual(shell.terminationStatus, 0, line)
        }
        // The same lines again: every result file is complete, so nothing runs.
        let again = try SBIC.run(Array(lines[0].split(separator: " ").dropFirst().map(String.init)), in: dir)
        XCTAssertEqual(again.status, 0, again.error)
        XCTAssertEqual(again.output, "")
        r = try SBIC.run(sweep() + paths("plan") + ["--report-only"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertEqual(try scores(dir.appendingPathComponent("plan.md").path), try scores(dir.appendingPathComponent("serial.md").path))

        // A torn result file is named by the merge, and its run done again.
        let torn = dir.appendingPathComponent("plan/runs/two_moons_cpvae_600_s1.jsonl").path
        let whole = try Data(contentsOf: URL(fileURLWithPath: torn))
        try whole.prefix(80).write(to: URL(fileURLWithPath: torn))
        r = try SBIC.run(sweep() + paths("plan") + ["--report-only"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.error.contains("1 of 2 runs have no complete results in \(dir.path)/plan/runs: two_moons_cpvae_600_s1"), r.error)
        r = try SBIC.run(sweep() + paths("plan") + ["--jobs", "1"])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertEqual(r.output.components(separatedBy: " C2ST ").count - 1, 2, r.output)
        XCTAssertTrue(r.output.contains("seed 1 obs 2: C2ST") && !r.output.contains("seed 2 obs"), r.output)
        XCTAssertEqual(try scores(dir.appendingPathComponent("plan.md").path), try scores(dir.appendingPathComponent("serial.md").path))
    }

    /// --beside sets another folder's results beside the sweep's own: whole result files at the
    /// sweep's tasks, budgets, seeds and observations, and nothing of theirs is rewritten.
    func testAnotherFoldersResultsStandBeside() throws {
        let dir = try SBIC.temporaryDirectory()
        func record(_ model: String, _ seed: Int, _ observation: Int, _ c2st: Double) -> String {
            #"{"backend":"jit","best_epoch":10,"c2st":\#(c2st),"epochs":30,"key":{"budget":600,"model":"\#(model)","seed":\#(seed),"task":"two_moons"},"mmd2":0.01,"observation":\#(observation),"train_cpu_minutes":0.1,"train_minutes":0.2}"#
        }
        func write(_ lines: [String], _ path: String) throws {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        }
        try write([record("cpvae", 1, 1, 0.7), record("cpvae", 1, 2, 0.7)], "own/runs/two_moons_cpvae_600_s1.jsonl")
        try write([record("npe_flow", 1, 1, 0.55), record("npe_flow", 1, 2, 0.57), record("npe_flow", 1, 3, 0.9)],
                  "beyond/runs/two_moons_npe_flow_600_s1.jsonl")
        try write([record("npe_flow", 9, 1, 0.99)], "beyond/runs/two_moons_npe_flow_600_s9.jsonl")
        try write([record("mdn", 1, 1, 0.51)], "beyond/runs/two_moons_mdn_600_s2.jsonl")
        let before = try String(contentsOf: dir.appendingPathComponent("beyond/runs/two_moons_npe_flow_600_s1.jsonl"), encoding: .utf8)
        let r = try SBIC.run(sweep(seeds: "1") + ["--out", "own", "--report", "r.md", "--report-only", "--beside", "beyond"], in: dir)
        XCTAssertEqual(r.status, 0, r.error)
        let text = try String(contentsOf: dir.appendingPathComponent("r.md"), encoding: .utf8)
        // Seed 9 is not the sweep's, nor observation 3; the file named s2 holds seed 1's record, so it is not whole.
        XCTAssertTrue(text.contains("| two_moons | 0.700 ± 0.000 | – | – | – | – | npe_flow 0.560 ± 0.014 |"), text)
        XCTAssertTrue(text.contains("| two_moons | npe_flow | 0.560 ± 0.014 |"), text)
        XCTAssertTrue(text.contains(" --report r.md --beside beyond`"), text)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("beyond/runs/two_moons_npe_flow_600_s1.jsonl"), encoding: .utf8), before)
    }

    /// Outside the repository the specs are those of the repository sbic was built in, and the
    /// paths of the plan lead there; nothing is written where the command runs.
    func testThePlanDoesNotDependOnTheCurrentDirectory() throws {
        let dir = try SBIC.temporaryDirectory()
        let r = try SBIC.run(["reproduce", "--tasks", "slcp", "--budgets", "100", "--seeds", "7", "--plan"], in: dir)
        XCTAssertEqual(r.status, 0, r.error)
        let root = SBIC.repository.standardizedFileURL.path
        let lines = r.output.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, r.output)
        for (line, model) in zip(lines, ["cpvae", "upvae"]) {
            XCTAssertTrue(line.contains(" reproduce --specs \(root)/specs --out \(root)/docs/reproduction --tasks slcp --models \(model) "
                                        + "--budgets 100 --seeds 7 --observations 1,2,3,4,5 --samples 10000"), String(line))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    /// Every spec in a folder is a sweep: tasks and models are read from the file names.
    func testAFolderOfSpecsIsASweep() throws {
        let dir = try SBIC.temporaryDirectory()
        let specs = dir.appendingPathComponent("specs")
        try FileManager.default.createDirectory(at: specs, withIntermediateDirectories: true)
        for name in ["two_moons_cpvae", "gaussian_linear_uniform_cpvae", "hodgkin_huxley_cpvae"] {
            try FileManager.default.copyItem(at: SBIC.repository.appendingPathComponent("specs/\(name).json"),
                                             to: specs.appendingPathComponent("\(name).json"))
        }
        try FileManager.default.copyItem(at: SBIC.repository.appendingPathComponent("specs/two_moons_upvae.json"),
                                         to: specs.appendingPathComponent("two_moons_wide.json"))
        var r = try SBIC.run(["reproduce", "--specs", specs.path, "--out", "o", "--seeds", "1", "--plan"], in: dir)
        XCTAssertEqual(r.status, 0, r.error)
        let runs = r.output.split(separator: "\n").map { line in
            line.components(separatedBy: "--tasks ")[1].components(separatedBy: " --budgets")[0]
        }
        // sbibm's order of tasks, models by name; hodgkin_huxley has no reference posterior.
        XCTAssertEqual(runs, ["two_moons --models cpvae", "two_moons --models wide", "gaussian_linear_uniform --models cpvae"])

        for (arguments, message) in [
            (["--specs", specs.path, "--plan"], "with --specs, give --out too"),
            (["--specs", specs.path, "--out", "o"], "with --specs, give --report too"),
            (["--specs", specs.path, "--out", "o", "--tasks", "hodgkin_huxley", "--plan"], "hodgkin_huxley has no sbibm reference posterior"),
            (["--specs", specs.path, "--out", "o", "--models", "upvae", "--plan"], "\(specs.path): holds no spec <task>_upvae.json"),
            (["--specs", dir.appendingPathComponent("none").path, "--out", "o", "--plan"], "none: cannot list the specs folder"),
            (["--jobs", "0"], "--jobs must be positive"),
            (["--plan", "--report-only"], "give one of them"),
        ] {
            r = try SBIC.run(["reproduce"] + arguments, in: dir)
            XCTAssertNotEqual(r.status, 0, message)
            XCTAssertFalse(r.crashed)
            XCTAssertTrue(r.error.contains(message), r.error)
        }
    }

    /// A run that fails is named, and the others go on and are merged; in this process and as
    /// processes alike.
    func testAFailedRunDoesNotStopTheOthers() throws {
        let dir = try SBIC.temporaryDirectory()
        let specs = dir.appendingPathComponent("specs")
        try FileManager.default.createDirectory(at: specs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: SBIC.repository.appendingPathComponent("specs/two_moons_cpvae.json"),
                                         to: specs.appendingPathComponent("two_moons_cpvae.json"))
        try "{\"task\": ".write(to: specs.appendingPathComponent("two_moons_broken.json"), atomically: true, encoding: .utf8)
        for jobs in ["1", "2"] {
            let out = dir.appendingPathComponent("out\(jobs)").path, report = out + ".md"
            let r = try SBIC.run(["reproduce", "--specs", specs.path, "--budgets", "600", "--seeds", "1", "--observations", "1",
                                  "--samples", "400", "--max-epochs", "2", "--jobs", jobs, "--out", out, "--report", report])
            XCTAssertEqual(r.status, 1, r.output + r.error)
            XCTAssertFalse(r.crashed)
            XCTAssertTrue(r.error.contains("1 of 2 runs failed: two_moons_broken_600_s1"), r.error)
            XCTAssertTrue(r.output.contains("two_moons cpvae 600 seed 1 obs 1: C2ST"), r.output)
            if jobs == "1" {
                XCTAssertTrue(r.error.contains("error: reproduce: two_moons_broken_600_s1: \(specs.path)/two_moons_broken.json"), r.error)
            } else {
                XCTAssertTrue(r.output.contains("two_moons_broken_600_s1: failed (exit status 1); see \(out)/logs/two_moons_broken_600_s1.log"), r.output)
                XCTAssertTrue(try String(contentsOfFile: out + "/logs/two_moons_broken_600_s1.log", encoding: .utf8)
                    .contains("two_moons_broken.json"))
            }
            XCTAssertTrue(try String(contentsOfFile: report, encoding: .utf8).contains("| two_moons | "))
        }
    }

    /// Scores appended to OUT/runs.jsonl by earlier versions count as done and are merged.
    func testScoresOfEarlierVersionsAreKept() throws {
        let dir = try SBIC.temporaryDirectory()
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let earlier = try String(contentsOfFile: SBIC.repository.appendingPathComponent("docs/reproduction/earlier_widths/runs.jsonl").path, encoding: .utf8)
            .split(separator: "\n").filter { $0.contains(#""model":"cpvae","seed":2,"task":"sir""#) }
        XCTAssertEqual(earlier.count, 5)
        try (earlier.joined(separator: "\n") + "\n").write(to: out.appendingPathComponent("runs.jsonl"), atomically: true, encoding: .utf8)
        let report = dir.appendingPathComponent("r.md").path
        let r = try SBIC.run(["reproduce", "--tasks", "sir", "--models", "cpvae", "--seeds", "2", "--out", out.path, "--report", report])
        XCTAssertEqual(r.status, 0, r.error)
        XCTAssertEqual(r.output, "wrote \(report) (5 results)\n")
        // The mean of the five C2ST scores of the log, as the table writes it.
        let c2st = earlier.map { line -> Double in
            let value = line.components(separatedBy: #""c2st":"#)[1].prefix { $0 != "," }
            return Double(value)!
        }
        let mean = c2st.reduce(0, +) / 5
        XCTAssertTrue(try String(contentsOfFile: report, encoding: .utf8).contains("| sir | \(String(format: "%.3f", mean)) ± "), report)
    }
}
