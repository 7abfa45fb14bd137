import Foundation

/// numpy's `.npy` format (versions 1.0, 2.0 and 3.0).
///
/// Reads f4, f8, i4, i8, u1 and b1 arrays of either byte order, in C or Fortran order; a
/// 1-D array of n values becomes an n × 1 matrix and a 0-D array a 1 × 1 matrix. A file
/// must hold exactly the bytes its header describes: neither fewer nor more. Writes
/// little-endian float32 or float64 2-D arrays in C order, as version 1.0.
public enum NPY {
    /// The element type written to a file.
    public enum ElementType: Sendable {
        case float32
        case float64

        var descr: String { self == .float32 ? "<f4" : "<f8" }
    }

    public static func read(_ path: String) throws -> Matrix {
        try decode(readFile(path), file: path)
    }

    /// Decodes `.npy` bytes; `file` names the source in errors.
    public static func decode(_ data: Data, file: String) throws -> Matrix {
        let bytes = [UInt8](data)
        let header = try NPYHeader(bytes, file: file)
        let count = header.rows * header.columns
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: header.dtype.size)
        let available = bytes.count - header.dataOffset
        guard !overflow, byteCount <= available else {
            let needed = overflow ? "too many" : "\(byteCount)"
            throw DataError(file: file, reason: "truncated: shape \(header.shapeText) of "
                                + "\(header.dtype.descr) needs \(needed) bytes of data, the file "
                                + "has \(available)")
        }
        // Bytes beyond the array mean the header does not describe the data (an edited
        // shape, or two arrays run together), so no reading of it can be trusted.
        guard byteCount == available else {
            throw DataError(file: file, reason: "\(available - byteCount) bytes after the data: shape "
                                + "\(header.shapeText) of \(header.dtype.descr) accounts for \(byteCount) "
                                + "bytes, the file has \(available)")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + header.dataOffset
            for index in 0..<count {
                // Fortran order stores column by column; place each value at its C position.
                let target = header.fortranOrder
                    ? (index % header.rows) * header.columns + index / header.rows
                    : index
                values[target] = header.dtype.load(base + index * header.dtype.size)
            }
        }
        return Matrix(uncheckedRows: header.rows, columns: header.columns, values: values)
    }

    /// `.npy` bytes for `matrix` as a C-order array: 2-D, or of `shape` (whose product is
    /// the matrix's size), such as (observations, samples, parameters).
    public static func encode(_ matrix: Matrix, as type: ElementType = .float64, shape: [Int]? = nil) -> Data {
        let dims = shape ?? [matrix.rows, matrix.columns]
        precondition(dims.reduce(1, *) == matrix.values.count, "shape \(dims) does not hold \(matrix.values.count) values")
        var header = "{'descr': '\(type.descr)', 'fortran_order': False, "
            + "'shape': (\(dims.map(String.init).joined(separator: ", "))\(dims.count == 1 ? "," : "")), }"
        // numpy pads the header with spaces so the data starts on a 64-byte boundary.
        let preamble = 10
        let padding = (64 - (preamble + header.utf8.count + 1) % 64) % 64
        header += String(repeating: " ", count: padding) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        switch type {
        case .float32:
            var values = matrix.values.map { Float($0).bitPattern.littleEndian }
            data.append(Data(bytes: &values, count: values.count * 4))
        case .float64:
            var values = matrix.values.map { $0.bitPattern.littleEndian }
            data.append(Data(bytes: &values, count: values.count * 8))
        }
        return data
    }

    /// Writes `matrix` to `path` atomically (see `AtomicFile`).
    public static func write(_ matrix: Matrix, to path: String,
                             as type: ElementType = .float64, shape: [Int]? = nil) throws {
        try AtomicFile.write(encode(matrix, as: type, shape: shape), to: path)
    }
}
