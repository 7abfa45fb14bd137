import Datasets
import Foundation
import IR

/// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length, a JSON header naming each tensor's dtype, shape and byte range, then the data.
/// Readable from Python with `safetensors.numpy.load_file` or by hand with numpy.
public enum SafeTensors {
    public struct Tensor: Equatable {
        public var shape: [Int]
        public var values: [Float]
        public init(shape: [Int], values: [Float]) { self.shape = shape; self.values = values }
    }

    /// Float32 tensors in the given order, plus string metadata.
    public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String]) throws -> Data {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for (name, t) in tensors {
            let bytes = t.values.count * 4
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so that the data starts 8-byte aligned.
        while (json.count + 8) % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var data = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for (_, t) in tensors {
            t.values.withUnsafeBufferPointer { buffer in
                for v in buffer { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            }
        }
        return data
    }

    /// Every tensor and the metadata; any inconsistency is an error naming the file.
    public static func decode(_ data: Data, file: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        func fail(_ reason: String) -> DataError { DataError(file: file, reason: reason) }
        guard data.count >= 8 else { throw fail("too short for a safetensors file") }
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= UInt64(data.count - 8) else { throw fail("the header says \(length) bytes, the file is shorter") }
        let body = data.dropFirst(8 + Int(length))
        guard let header = try? JSONSerialization.jsonObject(with: data.dropFirst(8).prefix(Int(length))) as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        // A JSON object keeps one of two equal keys without a word.
        if let name = duplicateKey(in: data.dropFirst(8).prefix(Int(length))) {
            throw fail("the header names \"\(name)\" twice")
        }
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        var ranges: [(name: String, bytes: Range<Int>)] = []
        for (name, entry) in header {
            if name == "__metadata__" {
                guard let m = entry as? [String: String] else { throw fail("__metadata__ must map strings to strings") }
                metadata = m
                continue
            }
            guard let e = entry as? [String: Any], e["dtype"] as? String == "F32",
                  let shape = e["shape"] as? [Int], let offsets = e["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("tensor \(name): expected dtype F32, a shape and two data offsets")
            }
            // Every size is checked without arithmetic that could overflow: the header is
            // whatever the file says, and a shape such as [2^61, 2] must be an error, not a trap.
            let count = shape.reduce(1, saturatingMultiply)
            let byteCount = saturatingMultiply(count, 4)
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= body.count,
                  offsets[1] - offsets[0] == byteCount else {
                throw fail("tensor \(name): shape \(shape) does not match bytes \(offsets) of \(body.count)")
            }
            ranges.append((name, offsets[0]..<offsets[1]))
            let start = body.startIndex + offsets[0]
            let values = (0..<count).map { i -> Float in
                let p = start + 4 * i
                let bits = UInt32(body[p]) | UInt32(body[p + 1]) << 8 | UInt32(body[p + 2]) << 16 | UInt32(body[p + 3]) << 24
                return Float(bitPattern: bits)
            }
            tensors[name] = Tensor(shape: shape, values: values)
        }
        // The format's rule: the tensors' bytes cover the data exactly, without overlaps or holes;
        // two tensors sharing bytes would train as one.
        var end = 0
        for (name, bytes) in ranges.sorted(by: { ($0.bytes.lowerBound, $0.bytes.upperBound, $0.name) < ($1.bytes.lowerBound, $1.bytes.upperBound, $1.name) }) {
            guard bytes.lowerBound >= end else {
                throw fail("tensor \(name): bytes [\(bytes.lowerBound), \(bytes.upperBound)] overlap another tensor's")
            }
            guard bytes.lowerBound == end else { throw fail("bytes [\(end), \(bytes.lowerBound)] of the data belong to no tensor") }
            end = bytes.upperBound
        }
        guard end == body.count else { throw fail("bytes [\(end), \(body.count)] of the data belong to no tensor") }
        return (tensors, metadata)
    }

    /// The first key that a JSON object (already known to be valid JSON) holds twice at its top level.
    private static func duplicateKey(in json: Data) -> String? {
        var seen: Set<Data> = []
        var depth = 0
        var i = json.startIndex
        while i < json.endIndex {
            let byte = json[i]
            if byte == UInt8(ascii: "\"") {
                // A string: find its end, skipping escaped characters.
                var j = json.index(after: i)
                while j < json.endIndex, json[j] != UInt8(ascii: "\"") { j = json.index(j, offsetBy: json[j] == UInt8(ascii: "\\") ? 2 : 1) }
                let string = json[json.index(after: i)..<min(j, json.endIndex)]
                var k = json.index(after: min(j, json.endIndex - 1))
                while k < json.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(json[k]) { k += 1 }
                if depth == 1, k < json.endIndex, json[k] == UInt8(ascii: ":"), !seen.insert(Data(string)).inserted {
                    return String(decoding: string, as: UTF8.self)
                }
                i = k
                continue
            }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
            if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
            i += 1
        }
        return nil
    }
}
