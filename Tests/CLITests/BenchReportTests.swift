import Foundation
@testable import sbic
import XCTest

/// The JSON keys of `sbic bench --json` are those docs/benchmarks.md documents.
final class BenchReportTests: XCTestCase {
    func testJSONKeys() throws {
        var report = BenchReport(model: "m", jitCompileMilliseconds: 100, jitCompileThreads: 2, openblasCoretype: "SkylakeX")
        report.programs["train_step"] = .init(batch: 32, flops: 1_000_000, interpreterMicroseconds: 40, jitMicroseconds: 10)
        report.tenThousandSamples = .init(runs: 10, threads: 1, interpreterMilliseconds: 8, jitMilliseconds: 4)
        let object = try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as! [String: Any]
        XCTAssertEqual(Set(object.keys), ["model", "jit_compile_milliseconds", "jit_compile_threads", "openblas_coretype",
                                          "programs", "ten_thousand_samples"])
        let step = (object["programs"] as! [String: Any])["train_step"] as! [String: Double]
        XCTAssertEqual(Set(step.keys), ["batch", "flops", "interpreter_microseconds", "jit_microseconds",
                                        "interpreter_gflops", "jit_gflops", "speedup"])
        XCTAssertEqual(step["speedup"], 4)
        XCTAssertEqual(step["jit_gflops"], 100)
        let samples = object["ten_thousand_samples"] as! [String: Double]
        XCTAssertEqual(Set(samples.keys), ["runs", "threads", "interpreter_milliseconds", "jit_milliseconds", "speedup"])
    }
}
