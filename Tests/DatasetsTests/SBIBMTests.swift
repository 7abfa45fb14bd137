import Datasets
import Foundation
import TestSupport
import XCTest

final class SBIBMTests: XCTestCase {
    /// (task, dim θ, dim x) from shared/docs/tasks.md.
    static let tasks: [(String, Int, Int)] = [
        ("two_moons", 2, 2), ("gaussian_linear", 10, 10), ("gaussian_linear_uniform", 10, 10),
        ("gaussian_mixture", 2, 2), ("slcp", 5, 8), ("slcp_distractors", 5, 100),
        ("bernoulli_glm", 10, 10), ("bernoulli_glm_raw", 10, 100), ("sir", 2, 10),
        ("lotka_volterra", 4, 20),
    ]

    func testEveryTaskHasItsFiles() throws {
        for (task, parameters, data) in Self.tasks {
            for number in 1...5 {
                let x = try SBIBM.observation(task: task, number: number)
                XCTAssertEqual([x.rows, x.columns], [1, data], task)
                let theta = try SBIBM.trueParameters(task: task, number: number)
                XCTAssertEqual([theta.rows, theta.columns], [1, parameters], task)
            }
        }
        let samples = try SBIBM.referenceSamples(task: "two_moons", number: 1)
        XCTAssertEqual([samples.rows, samples.columns], [10_000, 2])
        XCTAssertEqual(try SBIBM.taskFile(task: "bernoulli_glm", name: "design_matrix.csv").rows, 100)
    }

    func testMissingFilesSayWhere() throws {
        XCTAssertThrowsError(try SBIBM.observation(task: "two_moons", number: 11)) { error in
            XCTAssert("\(error)".hasSuffix("two_moons/obs_11/observation.csv: no such file: two_moons has observations 1–5"),
                      "\(error)")
        }
        XCTAssertThrowsError(try SBIBM.observation(task: "three_moons", number: 1)) { error in
            XCTAssert("\(error)".contains(": no reference data for task \"three_moons\"; there is data for bernoulli_glm, "
                                          + "bernoulli_glm_raw, gaussian_linear"), "\(error)")
        }
        XCTAssertEqual(SBIBM.ranges([1, 2, 3, 5, 7, 8]), "1–3, 5, 7–8")
        XCTAssertEqual(SBIBM.ranges([4]), "4")
    }

    func testCandidatesIncludeTheFolderBesideTheClone() {
        let candidates = SBIBM.candidateDirectories(sourceFile: "/ci/clone/Sources/Datasets/SBIBM.swift")
        XCTAssert(candidates.contains("/ci/clone/shared/data/sbibm"))
        XCTAssert(candidates.contains("/ci/shared/data/sbibm"))
        let current = FileManager.default.currentDirectoryPath
        XCTAssertEqual(candidates.first, URL(fileURLWithPath: current)
            .appendingPathComponent("shared/data/sbibm").standardizedFileURL.path)
    }

    /// A damaged observation file is an error, not an empty matrix for the caller to index.
    func testAnObservationFileHoldsOneRow() throws {
        let root = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root + "/two_moons/obs_1", withIntermediateDirectories: true)
        try "data_1,data_2\n".write(toFile: root + "/two_moons/obs_1/observation.csv", atomically: true, encoding: .utf8)
        setenv(SBIBM.environmentVariable, root, 1)
        defer { restoreDataVariable() }
        XCTAssertThrowsError(try SBIBM.observation(task: "two_moons", number: 1)) { error in
            XCTAssertEqual("\(error)", root + "/two_moons/obs_1/observation.csv: holds 0 rows, expected 1")
        }
    }

    func testEnvironmentOverride() throws {
        let root = try SBIBM.dataDirectory()
        setenv(SBIBM.environmentVariable, root, 1)
        defer { restoreDataVariable() }
        XCTAssertEqual(try SBIBM.dataDirectory(), root)
        setenv(SBIBM.environmentVariable, "/nonexistent/sbibm", 1)
        XCTAssertThrowsError(try SBIBM.observation(task: "slcp", number: 1)) { error in
            XCTAssertEqual("\(error)",
                           "/nonexistent/sbibm: SBIC_SBIBM_DATA names this folder, which does not exist")
        }
    }

    /// What the test process was given: a run started with SBIC_SBIBM_DATA keeps it for the
    /// tests after these.
    private static let givenDataVariable = getenv(SBIBM.environmentVariable).map { String(cString: $0) }

    // Read before any test here sets the variable (a static is initialized on first use).
    override class func setUp() { _ = givenDataVariable }

    private func restoreDataVariable() {
        if let given = Self.givenDataVariable {
            setenv(SBIBM.environmentVariable, given, 1)
        } else {
            unsetenv(SBIBM.environmentVariable)
        }
    }
}
