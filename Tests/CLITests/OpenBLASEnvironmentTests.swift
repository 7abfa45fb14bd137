@testable import sbic
import XCTest

final class OpenBLASEnvironmentTests: XCTestCase {
    func testSetsOnlyWhatIsMissing() {
        let all = OpenBLASEnvironment.missingSettings(set: { _ in false }, hasAVX512: true)
        XCTAssertEqual(all.map(\.0), ["OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE"])
        XCTAssertEqual(all.map(\.1), ["1", "SkylakeX"])
        XCTAssertTrue(OpenBLASEnvironment.missingSettings(set: { _ in true }, hasAVX512: true).isEmpty)
        XCTAssertEqual(OpenBLASEnvironment.missingSettings(set: { $0 == "OPENBLAS_CORETYPE" }, hasAVX512: true).map(\.0),
                       ["OPENBLAS_NUM_THREADS"])
    }

    /// SkylakeX kernels would stop a CPU without AVX-512 with SIGILL.
    func testNeverForcesAVX512KernelsWithoutAVX512() {
        XCTAssertEqual(OpenBLASEnvironment.missingSettings(set: { _ in false }, hasAVX512: false).map(\.0), ["OPENBLAS_NUM_THREADS"])
    }
}
