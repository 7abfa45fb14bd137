/// The parsed preamble and header dictionary of a `.npy` file.
struct NPYHeader {
    var dtype: NPYElement
    var fortranOrder: Bool
    var rows: Int
    var columns: Int
    var shapeText: String
    /// Byte offset of the first array element.
    var dataOffset: Int

    init(_ bytes: [UInt8], file: String) throws {
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard !bytes.isEmpty else { throw DataError(file: file, reason: "empty file") }
        guard bytes.starts(with: magic.prefix(bytes.count)) else {
            throw DataError(file: file, reason: "not a .npy file (bad magic string)")
        }
        guard bytes.count >= 8 else {
            throw DataError(file: file, reason: "truncated .npy preamble")
        }
        let major = bytes[6]
        let lengthBytes: Int
        switch major {
        case 1: lengthBytes = 2
        case 2, 3: lengthBytes = 4
        default:
            throw DataError(file: file, reason: "unsupported .npy format version "
                                + "\(major).\(bytes[7])")
        }
        let headerStart = 8 + lengthBytes
        guard bytes.count >= headerStart else {
            throw DataError(file: file, reason: "truncated .npy preamble")
        }
        var headerLength = 0
        for i in (0..<lengthBytes).reversed() {
            headerLength = headerLength << 8 | Int(bytes[8 + i])
        }
        guard bytes.count >= headerStart + headerLength else {
            throw DataError(file: file, reason: "truncated: the header says \(headerLength) "
                                + "bytes, the file has \(bytes.count - headerStart) after the "
                                + "preamble")
        }
        dataOffset = headerStart + headerLength
        // Versions 1 and 2 use latin-1, version 3 UTF-8; the keys and values we accept are
        // ASCII either way, and anything else fails to parse below.
        let text = String(decoding: bytes[headerStart..<dataOffset], as: UTF8.self)
        var parser = PythonLiteralParser(text, file: file)
        let dictionary = try parser.parseDictionary()

        guard case .string(let descr)? = dictionary["descr"] else {
            throw DataError(file: file, field: "descr",
                            reason: dictionary["descr"] == nil
                            ? "missing from the header" : "unsupported dtype (structured array)")
        }
        guard let dtype = NPYElement(descr: descr) else {
            throw DataError(file: file, field: "descr", reason: "unsupported dtype '\(descr)' "
                                + "(supported: f4, f8, i4, i8, u1, b1)")
        }
        self.dtype = dtype
        guard case .bool(let fortranOrder)? = dictionary["fortran_order"] else {
            throw DataError(file: file, field: "fortran_order", reason: "missing or not True/False")
        }
        self.fortranOrder = fortranOrder
        guard case .tuple(let shape)? = dictionary["shape"] else {
            throw DataError(file: file, field: "shape", reason: "missing or not a tuple")
        }
        shapeText = "(" + shape.map(String.init).joined(separator: ", ")
            + (shape.count == 1 ? ",)" : ")")
        switch shape.count {
        case 0: (rows, columns) = (1, 1)
        case 1: (rows, columns) = (shape[0], 1)
        case 2: (rows, columns) = (shape[0], shape[1])
        default:
            throw DataError(file: file, field: "shape",
                            reason: "\(shapeText): only 0-, 1- and 2-D arrays are supported")
        }
        guard !rows.multipliedReportingOverflow(by: columns).overflow else {
            throw DataError(file: file, field: "shape", reason: "\(shapeText) is too large")
        }
    }
}

/// An element type of a `.npy` array and how to read one element as a Double.
struct NPYElement {
    enum Kind { case float, signed, unsigned, bool }
    var kind: Kind
    var size: Int
    var bigEndian: Bool
    var descr: String

    init?(descr: String) {
        guard descr.count == 3, let order = descr.first else { return nil }
        let code = String(descr.dropFirst())
        switch order {
        case "<": bigEndian = false
        case ">": bigEndian = true
        case "|", "=": bigEndian = (1 as UInt16).bigEndian == 1
        default: return nil
        }
        switch code {
        case "f4": (kind, size) = (.float, 4)
        case "f8": (kind, size) = (.float, 8)
        case "i4": (kind, size) = (.signed, 4)
        case "i8": (kind, size) = (.signed, 8)
        case "u1": (kind, size) = (.unsigned, 1)
        case "b1": (kind, size) = (.bool, 1)
        default: return nil
        }
        self.descr = descr
    }

    func load(_ pointer: UnsafeRawPointer) -> Double {
        switch (kind, size) {
        case (.float, 4): return Double(Float(bitPattern: load32(pointer)))
        case (.float, _): return Double(bitPattern: load64(pointer))
        case (.signed, 4): return Double(Int32(bitPattern: load32(pointer)))
        case (.signed, _): return Double(Int64(bitPattern: load64(pointer)))
        case (.unsigned, _): return Double(pointer.load(as: UInt8.self))
        case (.bool, _): return pointer.load(as: UInt8.self) == 0 ? 0 : 1
        }
    }

    private func load32(_ pointer: UnsafeRawPointer) -> UInt32 {
        let raw = pointer.loadUnaligned(as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    private func load64(_ pointer: UnsafeRawPointer) -> UInt64 {
        let raw = pointer.loadUnaligned(as: UInt64.self)
        return bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
    }
}
