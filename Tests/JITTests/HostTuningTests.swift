@testable import JIT
import XCTest

/// The register tiles follow from the host's vector registers (docs/jit.md): the parity tests
/// run the tile of the host they run on; these check the rule for the others.
final class HostTuningTests: XCTestCase {
    private func host(_ features: String) -> HostCPU {
        HostCPU(model: "test", llvmName: "generic", llvmFeatures: features, l1dBytes: 32 << 10, l2Bytes: 1 << 20,
                l3Bytes: 32 << 20, cores: 2)
    }

    func testRegisterTiles() {
        let avx512 = host("+sse4.2,+avx,+avx2,+fma,+avx512f,+avx512bw,+avx512vl")
        let avx2 = host("+sse4.2,+avx,+avx2,+fma,-avx512f")
        let sse = host("+sse4.2,-avx,-avx2")
        XCTAssertEqual([avx512.vectorBits, avx512.vectorRegisters], [512, 32])
        XCTAssertEqual([avx2.vectorBits, avx2.vectorRegisters], [256, 16])
        XCTAssertEqual(avx2.isa, ["sse4.2", "avx", "avx2", "fma"])
        for (host, rows, vectors) in [(avx512, 8, 2), (avx2, 6, 1), (sse, 2, 1)] {
            let tile = Emitter.registerTile(host)
            XCTAssertEqual([tile.rows, tile.vectors], [rows, vectors], host.isa.joined(separator: " "))
        }
        // Narrow products: as many rows as fill 16 lanes where the registers allow.
        XCTAssertEqual([1, 2, 5, 10, 15].map { Emitter.narrowTileRows(n: $0, host: avx512) }, [16, 8, 3, 1, 1])
        XCTAssertEqual([1, 2, 5, 10, 15].map { Emitter.narrowTileRows(n: $0, host: avx2) }, [7, 3, 1, 1, 1])
    }

    func testCacheSizesParse() {
        XCTAssertEqual(HostCPU.bytes("48K"), 48 << 10)
        XCTAssertEqual(HostCPU.bytes("32768K"), 32 << 20)
        XCTAssertEqual(HostCPU.bytes("1M"), 1 << 20)
        XCTAssertEqual(HostCPU.bytes("512"), 512)
        XCTAssertNil(HostCPU.bytes("big"))
        let current = HostCPU.current
        XCTAssertGreaterThan(current.cores, 0)
        XCTAssert([128, 256, 512].contains(current.vectorBits))
    }
}
