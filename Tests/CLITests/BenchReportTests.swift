import Foundation
import JIT
@testable import sbic
import XCTest

/// The JSON keys of `sbic bench --json` are those docs/benchmarks.md documents.
final class BenchReportTests: XCTestCase {
    func testJSONKeys() throws {
        let peak = HostPeak(sizes: [.init(n: 64, microseconds: 10, gflops: 52.4), .init(n: 128, microseconds: 50, gflops: 200)])
        let compile = CompileTimes(programs: 4, threads: 2, milliseconds: 300, cpuMilliseconds: 500, generateCpuMilliseconds: 20,
                                   optimizeCpuMilliseconds: 2, codegenCpuMilliseconds: 470, cachedMilliseconds: 3,
                                   cachedCpuMilliseconds: 3, cacheDirectory: "/c")
        var report = BenchReport(model: "m", host: HostCPU.current, peak: peak, compile: compile, openblasCoretype: "SkylakeX")
        report.programs["train_step"] = .init(batch: 32, flops: 1_000_000, interpreterMicroseconds: 40, jitMicroseconds: 10,
                                              peakGflops: peak.gflops)
        report.programs["train_step"]!.jitCpuMicroseconds = 9.5
        report.programs["train_step"]!.interpreterCpuMicroseconds = 39
        report.tenThousandSamples = .init(runs: 10, threads: 1, interpreterMilliseconds: 8, jitMilliseconds: 4)
        let object = try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as! [String: Any]
        XCTAssertEqual(Set(object.keys), ["model", "host", "peak", "compile", "openblas_coretype", "programs", "ten_thousand_samples"])
        XCTAssertEqual(Set((object["compile"] as! [String: Any]).keys),
                       ["programs", "threads", "milliseconds", "cpu_milliseconds", "generate_cpu_milliseconds",
                        "optimize_cpu_milliseconds", "codegen_cpu_milliseconds", "cached_milliseconds",
                        "cached_cpu_milliseconds", "cache_directory"])
        let host = object["host"] as! [String: Any]
        XCTAssertEqual(Set(host.keys), ["model", "llvm_name", "llvm_features", "l1d_bytes", "l2_bytes", "l3_bytes", "cores",
                                        "isa", "vector_bits", "vector_registers"])
        let peakObject = object["peak"] as! [String: Any]
        XCTAssertEqual(peakObject["gflops"] as? Double, 200)
        let step = (object["programs"] as! [String: Any])["train_step"] as! [String: Double]
        XCTAssertEqual(Set(step.keys), ["batch", "flops", "interpreter_microseconds", "jit_microseconds",
                                        "interpreter_cpu_microseconds", "jit_cpu_microseconds",
                                        "interpreter_gflops", "jit_gflops", "jit_share_of_peak", "speedup"])
        XCTAssertEqual(step["speedup"], 4)
        XCTAssertEqual(step["jit_gflops"], 100)
        XCTAssertEqual(step["jit_share_of_peak"], 0.5)
        let samples = object["ten_thousand_samples"] as! [String: Double]
        XCTAssertEqual(Set(samples.keys), ["runs", "threads", "interpreter_milliseconds", "jit_milliseconds", "speedup"])
    }
}
