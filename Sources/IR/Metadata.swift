/// Codable values as a graph's metadata: every scalar field is one `meta KEY VALUE` line, its
/// key the field's coding path joined by dots (`training.learning_rate`), its value the text
/// Swift prints for it (`0.0005`, `1e-08`, `standard`). Lowering encodes what the runtime needs
/// to know without the spec (`GraphMetadata`); the runtime decodes the part it reads.
public enum Metadata {
    /// The lines of `value`, under `prefix` (`"training"`: keys `training.*`) when given.
    public static func encode<T: Encodable>(_ value: T, under prefix: String? = nil) throws -> [String: String] {
        let encoder = FlatEncoder(storage: FlatEncoder.Storage(), codingPath: prefix.map { [Key($0)] } ?? [])
        try value.encode(to: encoder)
        return encoder.storage.metadata
    }

    /// A `T` from the metadata lines under `prefix`. A missing key, or a value that is not of
    /// its field's type, is a `MetadataError` that names the key.
    public static func decode<T: Decodable>(_ type: T.Type, from metadata: [String: String], under prefix: String? = nil) throws -> T {
        try T(from: FlatDecoder(metadata: metadata, codingPath: prefix.map { [Key($0)] } ?? []))
    }
}

/// Metadata that a graph lacks, or holds in a form its reader cannot use.
public struct MetadataError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// The key at fault and its text, when the fault is one key's.
    public let key: String?, text: String?

    public init(_ message: String) { description = message; key = nil; text = nil }

    /// Key `key` is missing (`text` nil), or its text `text` is not what `requirement` says.
    public init(key: String, text: String?, requirement: String) {
        self.key = key; self.text = text
        description = text.map { "meta \(key) is \($0), not \(requirement)" } ?? "meta \(key) is missing"
    }
}

extension KeyedDecodingContainer {
    /// The value of `key`, which `isValid` must accept; otherwise, or when the text is not of
    /// type `T`, an error that names the key, its text and `requirement` ("an integer from 1 to 9").
    public func decode<T: Decodable>(_ key: Key, as requirement: String, where isValid: (T) -> Bool) throws -> T {
        let path = (codingPath + [key]).map(\.stringValue).joined(separator: ".")
        let value: T
        do {
            value = try decode(T.self, forKey: key)
        } catch let error as MetadataError where error.key == path {
            throw MetadataError(key: path, text: error.text, requirement: requirement)
        }
        guard isValid(value) else {
            throw MetadataError(key: path, text: (try? decode(String.self, forKey: key)) ?? "\(value)", requirement: requirement)
        }
        return value
    }
}

/// A coding key of a path given by name.
struct Key: CodingKey {
    let stringValue: String
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

private func joined(_ path: [CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }

// MARK: Encoding

private final class FlatEncoder: Encoder {
    final class Storage { var metadata: [String: String] = [:] }
    let storage: Storage
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(storage: Storage, codingPath: [CodingKey]) { self.storage = storage; self.codingPath = codingPath }

    func container<K: CodingKey>(keyedBy type: K.Type) -> KeyedEncodingContainer<K> {
        KeyedEncodingContainer(KeyedEncoder<K>(encoder: self))
    }
    func unkeyedContainer() -> UnkeyedEncodingContainer {
        preconditionFailure("graph metadata holds named values, not lists (\(joined(codingPath)))")
    }
    func singleValueContainer() -> SingleValueEncodingContainer { SingleEncoder(encoder: self) }

    func write(_ text: String, at path: [CodingKey]) { storage.metadata[joined(path)] = text }
    func nested(_ key: CodingKey) -> FlatEncoder { FlatEncoder(storage: storage, codingPath: codingPath + [key]) }
}

private struct KeyedEncoder<K: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: FlatEncoder
    var codingPath: [CodingKey] { encoder.codingPath }

    private func put(_ value: some LosslessStringConvertible, _ key: K) { encoder.write(value.description, at: codingPath + [key]) }
    mutating func encodeNil(forKey key: K) throws {}
    mutating func encode(_ value: Bool, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: String, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: Double, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: Float, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: Int, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: Int8, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: Int16, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: Int32, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: Int64, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: UInt, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: UInt8, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: UInt16, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: UInt32, forKey key: K) throws { put(value, key) }
    mutating func encode(_ value: UInt64, forKey key: K) throws { put(value, key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: K) throws { try value.encode(to: encoder.nested(key)) }
    mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: K) -> KeyedEncodingContainer<N> {
        encoder.nested(key).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer(forKey key: K) -> UnkeyedEncodingContainer { encoder.nested(key).unkeyedContainer() }
    mutating func superEncoder() -> Encoder { encoder }
    mutating func superEncoder(forKey key: K) -> Encoder { encoder.nested(key) }
}

private struct SingleEncoder: SingleValueEncodingContainer {
    let encoder: FlatEncoder
    var codingPath: [CodingKey] { encoder.codingPath }

    private func put(_ value: some LosslessStringConvertible) { encoder.write(value.description, at: codingPath) }
    mutating func encodeNil() throws {}
    mutating func encode(_ value: Bool) throws { put(value) }
    mutating func encode(_ value: String) throws { put(value) }
    mutating func encode(_ value: Double) throws { put(value) }
    mutating func encode(_ value: Float) throws { put(value) }
    mutating func encode(_ value: Int) throws { put(value) }
    mutating func encode(_ value: Int8) throws { put(value) }
    mutating func encode(_ value: Int16) throws { put(value) }
    mutating func encode(_ value: Int32) throws { put(value) }
    mutating func encode(_ value: Int64) throws { put(value) }
    mutating func encode(_ value: UInt) throws { put(value) }
    mutating func encode(_ value: UInt8) throws { put(value) }
    mutating func encode(_ value: UInt16) throws { put(value) }
    mutating func encode(_ value: UInt32) throws { put(value) }
    mutating func encode(_ value: UInt64) throws { put(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: encoder) }
}

// MARK: Decoding

private struct FlatDecoder: Decoder {
    let metadata: [String: String]
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<K: CodingKey>(keyedBy type: K.Type) -> KeyedDecodingContainer<K> {
        KeyedDecodingContainer(KeyedDecoder<K>(decoder: self))
    }
    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        throw MetadataError("meta \(joined(codingPath)): graph metadata holds named values, not lists")
    }
    func singleValueContainer() -> SingleValueDecodingContainer { SingleDecoder(decoder: self) }

    func nested(_ key: CodingKey) -> FlatDecoder { FlatDecoder(metadata: metadata, codingPath: codingPath + [key]) }

    /// The text at this path; an empty one is as good as missing.
    var text: String? { metadata[joined(codingPath)].flatMap { $0.isEmpty ? nil : $0 } }

    func value<T: LosslessStringConvertible>(_ type: T.Type) throws -> T {
        guard let text else { throw MetadataError(key: joined(codingPath), text: nil, requirement: "") }
        guard let value = T(text) else {
            throw MetadataError(key: joined(codingPath), text: text, requirement: T.self is String.Type ? "text"
                                : T.self is Bool.Type ? "true or false" : T.self is any BinaryInteger.Type ? "an integer" : "a number")
        }
        return value
    }

    /// Decodes a `T` at this path, reporting a value its type refuses with the key and the text.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try T(from: self)
        } catch DecodingError.dataCorrupted(let context) {
            throw MetadataError(key: joined(codingPath), text: text, requirement: context.debugDescription.replacingPrefix("not "))
        }
    }
}

private extension String {
    func replacingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}

private struct KeyedDecoder<K: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: FlatDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    var allKeys: [K] {
        let prefix = codingPath.isEmpty ? "" : joined(codingPath) + "."
        let names = Set(decoder.metadata.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
        return names.compactMap { K(stringValue: $0) }
    }
    /// A key is there when its line is, or any line under it (a nested value).
    func contains(_ key: K) -> Bool {
        let path = joined(codingPath + [key])
        return decoder.metadata[path] != nil || decoder.metadata.keys.contains { $0.hasPrefix(path + ".") }
    }
    private func value<T: LosslessStringConvertible>(_ key: K) throws -> T { try decoder.nested(key).value(T.self) }
    func decodeNil(forKey key: K) throws -> Bool { !contains(key) }
    func decode(_ type: Bool.Type, forKey key: K) throws -> Bool { try value(key) }
    func decode(_ type: String.Type, forKey key: K) throws -> String { try value(key) }
    func decode(_ type: Double.Type, forKey key: K) throws -> Double { try value(key) }
    func decode(_ type: Float.Type, forKey key: K) throws -> Float { try value(key) }
    func decode(_ type: Int.Type, forKey key: K) throws -> Int { try value(key) }
    func decode(_ type: Int8.Type, forKey key: K) throws -> Int8 { try value(key) }
    func decode(_ type: Int16.Type, forKey key: K) throws -> Int16 { try value(key) }
    func decode(_ type: Int32.Type, forKey key: K) throws -> Int32 { try value(key) }
    func decode(_ type: Int64.Type, forKey key: K) throws -> Int64 { try value(key) }
    func decode(_ type: UInt.Type, forKey key: K) throws -> UInt { try value(key) }
    func decode(_ type: UInt8.Type, forKey key: K) throws -> UInt8 { try value(key) }
    func decode(_ type: UInt16.Type, forKey key: K) throws -> UInt16 { try value(key) }
    func decode(_ type: UInt32.Type, forKey key: K) throws -> UInt32 { try value(key) }
    func decode(_ type: UInt64.Type, forKey key: K) throws -> UInt64 { try value(key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: K) throws -> T { try decoder.nested(key).decode(type) }
    func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: K) throws -> KeyedDecodingContainer<N> {
        decoder.nested(key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: K) throws -> UnkeyedDecodingContainer { try decoder.nested(key).unkeyedContainer() }
    func superDecoder() throws -> Decoder { decoder }
    func superDecoder(forKey key: K) throws -> Decoder { decoder.nested(key) }
}

private struct SingleDecoder: SingleValueDecodingContainer {
    let decoder: FlatDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.text == nil }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.value(type) }
    func decode(_ type: String.Type) throws -> String { try decoder.value(type) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.value(type) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.value(type) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.value(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.value(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.value(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.value(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.value(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.value(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.value(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.value(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.value(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.value(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type) }
}
