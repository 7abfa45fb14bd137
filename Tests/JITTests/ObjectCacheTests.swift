import Foundation
import IR
@testable import JIT
import Passes
import Runtime
import Spec
import TestSupport
import XCTest

/// The on-disk cache of compiled code: a second compile of the same programs loads the objects
/// instead of compiling, and computes what the first computed, bit for bit; an entry that is
/// truncated, altered or for another key reads as a miss and is compiled and written again.
final class ObjectCacheTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory()
        setenv("SBIC_CACHE_DIR", directory, 1)
        unsetenv("SBIC_CACHE")
    }

    override func tearDownWithError() throws {
        unsetenv("SBIC_CACHE_DIR")
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func graph() throws -> Graph {
        let spec = try ModelSpec.load(path: repository.appendingPathComponent("specs/two_moons_cpvae.json").path)
        return try Compiler().compile(spec).0
    }

    /// The outputs of every program of `graph` compiled now, on inputs and weights from `seed`,
    /// and where its code came from.
    private func compileAndRun(_ graph: Graph, seed: UInt64 = 7) throws -> (outputs: [String: [UInt32]], source: CompileTiming.Source) {
        var random = TestRandom(seed: seed)
        let store = ParameterStore<Float>(graph)
        store.initialize { random.normal() }
        let compiled = try JIT.compile(graph, parameters: store, options: JIT.Options(cache: true))
        var outputs: [String: [UInt32]] = [:]
        for program in graph.programs {
            for (name, values) in execute(compiled[program.name]!, randomInputs(program, &random)) {
                outputs[program.name + "." + name] = values.map(\.bitPattern)
            }
        }
        return (outputs, compiled.timing.source)
    }

    private func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".jit") }
    }

    func testMissThenHitComputesTheSame() throws {
        let g = try graph()
        let first = try compileAndRun(g)
        XCTAssertEqual(first.source, .compiled)
        XCTAssertEqual(try entries().count, 1)
        let second = try compileAndRun(g)
        XCTAssertEqual(second.source, .diskCache)
        XCTAssertEqual(second.outputs, first.outputs)
        // Off: compiled again, nothing read.
        setenv("SBIC_CACHE", "off", 1)
        defer { unsetenv("SBIC_CACHE") }
        let off = try compileAndRun(g)
        XCTAssertEqual(off.source, .compiled)
        XCTAssertEqual(off.outputs, first.outputs)
    }

    func testCodeLoadedInTheProcessIsShared() throws {
        let g = try graph()
        let store = ParameterStore<Float>(g)
        let first = try JIT.compile(g, parameters: store)
        let second = try JIT.compile(g, parameters: store)
        XCTAssertEqual(first.timing.source, .compiled)
        XCTAssertEqual(second.timing.source, .loaded)
    }

    func testCorruptOrTruncatedEntriesAreCompiledAgain() throws {
        let g = try graph()
        let reference = try compileAndRun(g).outputs
        let path = directory + "/" + (try entries())[0]
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        var flipped = whole
        flipped[whole.count / 2] ^= 0x40
        for damaged in [whole.prefix(whole.count - 1), whole.prefix(whole.count / 3), whole.prefix(10), Data(), flipped] {
            try Data(damaged).write(to: URL(fileURLWithPath: path))
            let again = try compileAndRun(g)
            XCTAssertEqual(again.source, .compiled, "\(damaged.count) bytes")
            XCTAssertEqual(again.outputs, reference)
            // …and the entry is whole again.
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), whole)
        }
    }

    func testEntriesDecodeOnlyWhole() throws {
        let key = CacheKey(digest: (0..<32).map { UInt8($0) })
        let objects = [Data([1, 2, 3]), Data(), Data((0..<1000).map { UInt8($0 % 251) })]
        let entry = ObjectCache.encode(objects, key: key)
        XCTAssertEqual(ObjectCache.decode(entry, key: key), objects)
        XCTAssertNil(ObjectCache.decode(entry, key: CacheKey(digest: Array(repeating: 0, count: 32))))
        for length in [0, 1, 19, 52, 60, entry.count - 33, entry.count - 1] {
            XCTAssertNil(ObjectCache.decode(entry.prefix(length), key: key), "\(length) bytes")
        }
        for i in stride(from: 0, to: entry.count, by: 97) {
            var damaged = entry
            damaged[i] ^= 1
            XCTAssertNil(ObjectCache.decode(damaged, key: key), "byte \(i) altered")
        }
        XCTAssertNil(ObjectCache.decode(entry + Data([0]), key: key))
    }

    /// Processes that compile the same graph at once each write a whole entry under a name of
    /// their own and rename it into place; threads here stand in for them (each thread's code is
    /// compiled or shared, and every entry read is whole).
    func testConcurrentCompilesAgree() throws {
        let g = try graph()
        let reference = try compileAndRun(g).outputs
        try FileManager.default.removeItem(atPath: directory)
        let results = UnsafeMutableBufferPointer<[String: [UInt32]]?>.allocate(capacity: 4)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { i in results[i] = try? self.compileAndRun(g).outputs }
        for i in 0..<4 { XCTAssertEqual(results[i], reference, "thread \(i)") }
        XCTAssertEqual(try entries().count, 1)
        XCTAssertEqual(try compileAndRun(g).outputs, reference)
    }

    func testEnvironment() {
        XCTAssertNil(ObjectCache.fromEnvironment(["SBIC_CACHE": "off", "HOME": "/h"]))
        XCTAssertEqual(ObjectCache.fromEnvironment(["SBIC_CACHE_DIR": "/c", "HOME": "/h"])?.directory, "/c")
        XCTAssertEqual(ObjectCache.fromEnvironment(["XDG_CACHE_HOME": "/x", "HOME": "/h"])?.directory, "/x/sbic")
        XCTAssertEqual(ObjectCache.fromEnvironment(["HOME": "/h"])?.directory, "/h/.cache/sbic")
        XCTAssertNil(ObjectCache.fromEnvironment([:]))
    }
}
