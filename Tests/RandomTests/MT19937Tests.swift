import Random
import XCTest

final class MT19937Tests: XCTestCase {
    /// The reference outputs of Matsumoto & Nishimura's mt19937ar.c for init_genrand(5489).
    func testFirstOutputsForDefaultSeed() {
        var twister = MT19937(seed: 5489)
        let first = (0..<5).map { _ in twister.next() }
        XCTAssertEqual(first, [3_499_211_612, 581_869_302, 3_890_346_734, 3_586_334_585, 545_404_204])
    }

    /// C++11 [rand.predef]: the 10000th output of a default-constructed std::mt19937.
    func testTenThousandthOutput() {
        var twister = MT19937(seed: 5489)
        for _ in 1..<10_000 { _ = twister.next() }
        XCTAssertEqual(twister.next(), 4_123_659_995)
    }
}
