import Datasets
import Evaluation
import Foundation
import TestSupport
import XCTest

/// Result files, the earlier log and the report keep what they hold through crashes and odd files.
final class ResultsTests: XCTestCase {
    private func record(_ observation: Int) -> RunRecord {
        RunRecord(key: RunKey(task: "two_moons", model: "cpvae", budget: 100, seed: 1), observation: observation,
                  c2st: 0.6, mmd2: 0.01, trainMinutes: 0.1, epochs: 30, bestEpoch: 10, backend: "jit")
    }

    private func temporaryPath(_ name: String) throws -> String {
        try temporaryDirectory() + "/" + name
    }

    /// The log earlier versions appended to: a line cut short by a crash is skipped, the
    /// records around it kept; records from before provenance was recorded decode without it.
    func testTheEarlierLogKeepsItsCompleteLines() throws {
        let log = try temporaryPath("runs.jsonl")
        let first = #"{"backend":"jit","best_epoch":10,"c2st":0.6,"epochs":30,"key":{"budget":100,"model":"cpvae","seed":1,"task":"two_moons"},"mmd2":0.01,"observation":1,"train_minutes":0.1}"#
        let third = first.replacingOccurrences(of: #""observation":1"#, with: #""observation":3"#)
        try (first + "\n" + #"{"backend":"jit","best_ep"# + "\n" + third + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        XCTAssertEqual(RunRecord.load(log), [record(1), record(3)])
        XCTAssertNil(record(1).provenance)
    }

    /// A run's result file is whole or it is not there: a torn file, or one holding another
    /// run's records, reads as absent, so that the run is done again.
    func testAResultFileIsReadOnlyWhole() throws {
        let path = try temporaryPath(RunResults.fileName(record(1).key))
        XCTAssertTrue(path.hasSuffix("/two_moons_cpvae_100_s1.jsonl"), path)
        XCTAssertNil(RunResults.read(path, key: record(1).key))
        var traced = record(2)
        traced.provenance = Provenance(commit: "0123abcd", executable: String(repeating: "e", count: 64), host: "node7",
                                       cpu: "Some CPU", spec: String(repeating: "5", count: 64), samples: 400, maxEpochs: nil)
        try RunResults.write([traced, record(1)], to: path)
        XCTAssertEqual(RunResults.read(path, key: record(1).key), [record(1), traced], "in the order of the observations")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains(#""provenance":{"commit":"0123abcd","cpu":"Some CPU","executable_sha256":"eeee"#), text)

        let other = RunKey(task: "two_moons", model: "cpvae", budget: 100, seed: 2)
        XCTAssertNil(RunResults.read(path, key: other), "another run's records")
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [whole.count - 2, whole.count / 2, 10] {
            try whole.prefix(cut).write(to: URL(fileURLWithPath: path))
            XCTAssertNil(RunResults.read(path, key: record(1).key), "cut at \(cut) of \(whole.count) bytes")
        }
    }

    /// Scores added to a run's file replace those of the same observations: two sweeps that
    /// scored the same run leave each observation once.
    func testAddedScoresReplaceThoseOfTheSameObservation() throws {
        let key = record(1).key
        let path = try temporaryPath(RunResults.fileName(key))
        try RunResults.add([record(1), record(2)], to: path, key: key)
        var rescored = record(2)
        rescored.c2st = 0.7
        try RunResults.add([rescored, record(3)], to: path, key: key)
        XCTAssertEqual(RunResults.read(path, key: key), [record(1), rescored, record(3)])
    }

    func testAReportThatIsNotTextIsNotOverwritten() throws {
        let path = try temporaryPath("results.md")
        let bytes = Data([0x23, 0x20, 0xff, 0xfe, 0x0a])
        try bytes.write(to: URL(fileURLWithPath: path))
        let report = ResultsReport(runs: [record(1)], command: "sbic reproduce")
        XCTAssertThrowsError(try report.write(into: path)) { error in
            XCTAssertTrue("\(error)".contains("is not UTF-8 text"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), bytes)

        // A hand-written report keeps its text around the tables.
        try "# Results\n\nBy hand.\n".write(toFile: path, atomically: true, encoding: .utf8)
        try report.write(into: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# Results\n\nBy hand.\n\n" + ResultsReport.begin), text)
    }

    private func paper(_ rows: [String]) throws -> PaperResults {
        try PaperResults(csv: Data((["task,simulations,method,metric,mean,std"] + rows).joined(separator: "\n").utf8), file: "r.csv")
    }

    private func refusal(_ rows: [String]) -> String {
        do {
            _ = try paper(rows)
            return "read"
        } catch {
            return "\(error)"
        }
    }

    /// The repository's copy holds the paper's Tables 1–3 whole: ten tasks, three budgets, seven
    /// methods, three metrics, and the numbers as printed (Table 1, two moons, 10,000 simulations).
    func testThePapersTablesAreRead() throws {
        let paper = try PaperResults.load(PaperResults.repositoryCopy())
        XCTAssertEqual(paper.tasks.count, 10)
        XCTAssertEqual(paper.budgets, [10_000, 20_000, 30_000])
        XCTAssertEqual(paper.methods, ["GATSBI", "NPE", "APT", "JANA", "Simformer", "CP-VAE", "UP-VAE"])
        for task in paper.tasks { for budget in paper.budgets { for method in paper.methods { for metric in PaperResults.Metric.allCases {
            XCTAssertNotNil(paper.value(task: task, budget: budget, method: method, metric: metric), "\(task) \(budget) \(method) \(metric)")
        }}}}
        XCTAssertEqual(paper.value(task: "two_moons", budget: 10_000, method: "CP-VAE", metric: .c2st), .init(mean: 0.6443, std: 0.0288))
        XCTAssertEqual(paper.value(task: "two_moons", budget: 10_000, method: "UP-VAE", metric: .c2st), .init(mean: 0.6510, std: 0.0310))
        // GATSBI 0.777, NPE 0.575, APT 0.519, JANA 0.521, Simformer 0.527.
        XCTAssertEqual(paper.bestOther(task: "two_moons", budget: 10_000, metric: .c2st)?.method, "APT")
        // JANA 0.515 at 20,000 against APT's 0.520.
        XCTAssertEqual(paper.bestOther(task: "two_moons", budget: 20_000, metric: .c2st)?.method, "JANA")
        XCTAssertEqual(paper.bestOther(task: "two_moons", budget: 10_000, metric: .mmd)?.value, .init(mean: 0.0005, std: 0.0003))
    }

    /// The best other method: never one of the paper's VAEs, the C2ST closest to 0.5 (0.52
    /// rather than 0.47), the smallest MMD and time, and the first of equal ones.
    func testTheBestOtherMethod() throws {
        let p = try paper(["t,100,A,c2st,0.47,0.01", "t,100,CP-VAE,c2st,0.50,0.01", "t,100,B,c2st,0.52,0.03", "t,100,UP-VAE,c2st,0.51,0",
                           "t,100,A,mmd,0.2,0", "t,100,B,mmd,0.1,0", "t,100,CP-VAE,mmd,0.01,0",
                           "t,100,A,train_minutes,3,0", "t,100,B,train_minutes,3,1"])
        XCTAssertEqual(p.bestOther(task: "t", budget: 100, metric: .c2st)?.method, "B")
        XCTAssertEqual(p.bestOther(task: "t", budget: 100, metric: .c2st)?.value, .init(mean: 0.52, std: 0.03))
        XCTAssertEqual(p.bestOther(task: "t", budget: 100, metric: .mmd)?.method, "B")
        XCTAssertEqual(p.bestOther(task: "t", budget: 100, metric: .trainMinutes)?.method, "A")
        XCTAssertNil(p.bestOther(task: "t", budget: 200, metric: .c2st))
        XCTAssertNil(p.bestOther(task: "u", budget: 100, metric: .c2st))
    }

    func testAMalformedRowIsAnErrorWithItsFileAndRow() {
        let good = "t,100,A,c2st,0.5,0.01"
        XCTAssertEqual(refusal([good, "t,100,A,mmd,0.5"]), "r.csv: row 3: 5 fields, expected 6 as in row 1")
        XCTAssertEqual(refusal([good, good]), "r.csv: row 3: t, 100, A, c2st is given again (first in row 2)")
        XCTAssertEqual(refusal(["t,10k,A,c2st,0.5,0.01"]), "r.csv: row 2, column 2: \"10k\" is not a positive number of simulations")
        XCTAssertEqual(refusal([good, "t,100,A,C2ST,0.5,0.01"]),
                       "r.csv: row 3, column 4: \"C2ST\" is not a metric; the metrics are c2st, mmd, train_minutes")
        XCTAssertEqual(refusal([good, "t,100,B,c2st,,0.01"]), "r.csv: row 3, column 5: \"\" is not a finite number")
        XCTAssertEqual(refusal([good, "t,100,B,c2st,nan,0.01"]), "r.csv: row 3, column 5: \"nan\" is not a finite number")
        XCTAssertEqual(refusal([good, "t,100,B,c2st,0.5,-0.01"]), "r.csv: row 3, column 6: \"-0.01\" is not a standard deviation")
        XCTAssertEqual(refusal([",100,B,c2st,0.5,0.01"]), "r.csv: row 2, column 1: the task is empty")
        XCTAssertEqual(refusal(["\"t,100,B,c2st,0.5,0.01"]), "r.csv: row 2: a quoted field is not closed")
        do {
            _ = try PaperResults(csv: Data("task,budget,method,metric,mean,std\n".utf8), file: "r.csv")
            XCTFail("read")
        } catch {
            XCTAssertEqual("\(error)", "r.csv: row 1: the header is task,budget,method,metric,mean,std, expected task,simulations,method,metric,mean,std")
        }
        // And a report whose paper file is damaged is not written.
        var report = ResultsReport(runs: [record(1)], command: "sbic reproduce")
        report.paperResults = "/nonexistent/results.csv"
        XCTAssertThrowsError(try report.markdown()) { XCTAssertEqual("\($0)", "/nonexistent/results.csv: no such file") }
    }

    /// Per task and budget: sbic's VAEs beside the paper's and the best of its other methods;
    /// a budget without runs shows the paper's numbers and dashes for sbic; another spec's runs
    /// are shown beside the paper's model of the same kind.
    func testTheReportSetsRunsBesideThePaper() throws {
        func run(_ task: String, _ model: String, _ seed: Int, _ observation: Int, _ c2st: Double) -> RunRecord {
            RunRecord(key: RunKey(task: task, model: model, budget: 10_000, seed: seed), observation: observation,
                      c2st: c2st, mmd2: 0.01, trainMinutes: Double(seed), epochs: 30, bestEpoch: 10, backend: "jit")
        }
        let runs = [run("two_moons", "cpvae", 1, 1, 0.6), run("two_moons", "cpvae", 1, 2, 0.7), run("two_moons", "cpvae", 2, 1, 0.8),
                    run("lotka_volterra", "log_y_cpvae", 1, 1, 0.98)]
        let text = try ResultsReport(runs: runs, command: "sbic reproduce").markdown()
        let sections = text.components(separatedBy: "\n### ")
        let c2st10 = try XCTUnwrap(sections.first { $0.hasPrefix("C2ST (0.5 is best), 10,000 simulations") })
        XCTAssertTrue(c2st10.contains("sbic: 4 scores; seeds 1, 2; observations 1, 2."), c2st10)
        XCTAssertTrue(c2st10.contains("| two_moons | 0.700 ± 0.100 | 0.644 ± 0.029 | – | 0.651 ± 0.031 | APT 0.519 ± 0.008 |"), c2st10)
        XCTAssertTrue(c2st10.contains("| sir | – | 0.852 ± 0.072 | – | 0.839 ± 0.038 | NPE 0.838 ± 0.040 |"), c2st10)
        XCTAssertTrue(c2st10.contains("| lotka_volterra | log_y_cpvae | 0.980 ± 0.000 | CP-VAE 1.000 ± 0.000 |"), c2st10)
        // Minutes count each trained model once: seeds 1 and 2.
        let minutes10 = try XCTUnwrap(sections.first { $0.hasPrefix("Training time, minutes, 10,000 simulations") })
        XCTAssertTrue(minutes10.contains("| two_moons | 1.50 ± 0.71 | 2.23 ± 0.81 | – | 1.98 ± 0.33 | Simformer 3.96 ± 0.04 |"), minutes10)
        let c2st30 = try XCTUnwrap(sections.first { $0.hasPrefix("C2ST (0.5 is best), 30,000 simulations") })
        XCTAssertTrue(c2st30.contains("sbic: no runs at this budget yet."), c2st30)
        XCTAssertEqual(c2st30.components(separatedBy: "\n| ").count - 2, 10, "a row for each of the paper's ten tasks")
        XCTAssertFalse(c2st30.contains("log_y_cpvae"))
        let mmd = try XCTUnwrap(sections.first { $0.hasPrefix("MMD (0 is best), 10,000 simulations") })
        XCTAssertTrue(mmd.contains("not across tools"), mmd)
    }

    /// The specs beyond the paper's VAEs: per task the one whose mean C2ST is closest to 0.5
    /// stands in a column of every table, and at each budget against the paper's best method
    /// and both its VAEs, its minutes against a tenth of the paper's CP-VAE minutes.
    func testTheBestOtherSpecStandsAgainstThePaper() throws {
        func run(_ task: String, _ model: String, _ seed: Int, _ c2st: Double, minutes: Double) -> RunRecord {
            RunRecord(key: RunKey(task: task, model: model, budget: 10_000, seed: seed), observation: 1, c2st: c2st, mmd2: 0.01,
                      trainMinutes: 9, trainCPUMinutes: minutes, epochs: 30, bestEpoch: 10, backend: "jit")
        }
        // two_moons: mdn (mean 0.63) is farther from 0.5 than npe_flow (0.51 and 0.53: mean 0.52).
        // sir: 0.845 beats neither NPE's 0.838 nor UP-VAE's 0.839, but CP-VAE's 0.852.
        let runs = [run("two_moons", "mdn", 1, 0.63, minutes: 0.1), run("two_moons", "npe_flow", 1, 0.51, minutes: 0.2),
                    run("two_moons", "npe_flow", 2, 0.53, minutes: 0.3), run("sir", "npe_flow", 1, 0.845, minutes: 0.1),
                    run("two_moons", "cpvae", 1, 0.6, minutes: 1)]
        let text = try ResultsReport(runs: runs, command: "sbic reproduce").markdown()
        let sections = text.components(separatedBy: "\n### ")
        let c2st10 = try XCTUnwrap(sections.first { $0.hasPrefix("C2ST (0.5 is best), 10,000 simulations") })
        XCTAssertTrue(c2st10.contains("| task | sbic CP-VAE | paper CP-VAE | sbic UP-VAE | paper UP-VAE | paper, best other | sbic, best other spec |"), c2st10)
        XCTAssertTrue(c2st10.contains("| two_moons | 0.600 ± 0.000 | 0.644 ± 0.029 | – | 0.651 ± 0.031 | APT 0.519 ± 0.008 | npe_flow 0.520 ± 0.014 |"), c2st10)
        XCTAssertTrue(c2st10.contains("| slcp | – | 0.928 ± 0.004 | – | 0.958 ± 0.017 | Simformer 0.766 ± 0.069 | – |"), c2st10)
        // npe_flow trains in 0.25 minutes on average, more than a tenth of CP-VAE's 2.23; sir's 0.10 is less than 0.28.
        XCTAssertTrue(c2st10.contains("| two_moons | npe_flow | 0.520 ± 0.014 | APT 0.519 ± 0.008 | 0.644 ± 0.029 | 0.651 ± 0.031 | lost | won | 0.25 | 0.22 |"), c2st10)
        XCTAssertTrue(c2st10.contains("| sir | npe_flow | 0.845 ± 0.000 | NPE 0.838 ± 0.040 | 0.852 ± 0.072 | 0.839 ± 0.038 | lost | lost | 0.10 | 0.28 |"), c2st10)
        XCTAssertTrue(c2st10.contains("Of 2 tasks, sbic's best other spec beats the paper's best method on 0, both of its VAEs on 1, "
                                      + "and trains in less than a tenth of the paper's CP-VAE minutes on 1."), c2st10)
        // The same model in the other tables, with its own numbers there.
        let minutes10 = try XCTUnwrap(sections.first { $0.hasPrefix("Training time, minutes, 10,000 simulations") })
        XCTAssertTrue(minutes10.contains("| Simformer 3.96 ± 0.04 | npe_flow 0.25 ± 0.07 |"), minutes10)
        XCTAssertFalse(minutes10.contains("against the best"), "the comparison is C2ST's")
        let c2st20 = try XCTUnwrap(sections.first { $0.hasPrefix("C2ST (0.5 is best), 20,000 simulations") })
        XCTAssertFalse(c2st20.contains("best other spec"), "no other specs at this budget")
    }
}
