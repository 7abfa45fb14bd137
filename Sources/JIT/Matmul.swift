import CLLVM
import IR

/// Which code computes a matrix product.
public enum MatmulKernel: String, Hashable, Sendable, CaseIterable {
    /// Code generated for the shape: a register-tiled micro-kernel, or for fewer than 16
    /// columns one of the narrow kernels.
    case jit
    /// OpenBLAS's cblas_sgemm, called from the JIT'd code.
    case blas
}

/// C[m, n] = op(A)[m, k] · op(B)[k, n], all row-major, as a matmul node states it.
struct MatmulShape: Hashable {
    var m: Int, n: Int, k: Int
    var transposeA: Bool, transposeB: Bool

    init(_ a: Shape, _ b: Shape, transposeA: Bool, transposeB: Bool) {
        (m, k) = transposeA ? (a.dims[1], a.dims[0]) : (a.dims[0], a.dims[1])
        n = transposeB ? b.dims[0] : b.dims[1]
        self.transposeA = transposeA
        self.transposeB = transposeB
    }

    init(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) {
        (self.m, self.n, self.k, self.transposeA, self.transposeB) = (m, n, k, transposeA, transposeB)
    }

    /// Fewer columns than a vector has lanes: a row tile would waste most of every vector.
    var isNarrow: Bool { n < Emitter.lanes }

    /// Rows of C the kernel computes at once.
    func rowTile(_ kernel: MatmulKernel) -> Int {
        kernel == .blas ? 1 : isNarrow ? Emitter.narrowTileRows(n: n) : Emitter.tileRows
    }

    /// Floats of scratch the product needs: a transposed copy of an operand, or of the result.
    func scratchFloats(_ kernel: MatmulKernel) -> Int {
        guard kernel == .jit else { return 0 }
        if isNarrow { return transposeA ? m * n : (transposeB ? 0 : k * n) }
        return transposeB ? n * k : 0
    }
}

/// The number of rows of C. Products whose A is stored as is (dense layers, dX) take it as an
/// argument, so that the training programs and the sampler, which differ only in batch size,
/// share one kernel per layer shape; only the rows left over after whole row tiles are compiled
/// in (part of the kernel's key), so that no code is spent on leftovers that never occur.
/// The other products have the count compiled in.
enum RowCount {
    case known(Int)
    case argument(Value, leftOver: Int)
}

/// What a dense layer does to the product before storing it.
struct Epilogue {
    var bias: Value?
    var activation: UnaryOp?
    static let none = Epilogue(bias: nil, activation: nil)
    var isEmpty: Bool { bias == nil && activation == nil }
}

extension Emitter {
    func matmul(_ s: MatmulShape, rows: RowCount, a: Value, b: Value, c: Value, kernel: MatmulKernel, scratch: Value?,
                epilogue: Epilogue = .none) {
        guard s.n > 0 else { return }  // nothing to write
        switch kernel {
        case .blas:
            callSgemm(s, rows: rows, a: a, b: b, c: c)
            applyEpilogue(epilogue, to: c, rows: rows, columns: s.n)
        case .jit where s.isNarrow:
            narrowMatmul(s, rows: rows, a: a, b: b, c: c, scratch: scratch, epilogue: epilogue)
        case .jit:
            // A cheap activation is applied to each tile in registers; an expensive one (a
            // polynomial) would be emitted once per tile variant, so it gets one pass over C.
            let inline = epilogue.activation?.isCheap ?? true
            // The tile reads B along rows; a transposed B is first copied out transposed.
            var packed = b
            if s.transposeB, let scratch {
                transpose(b, rows: s.n, columns: s.k, into: scratch)
                packed = scratch
            }
            tiledMatmul(s, rows: rows, a: a, b: packed, c: c,
                        epilogue: Epilogue(bias: epilogue.bias, activation: inline ? epilogue.activation : nil))
            if !inline { applyEpilogue(Epilogue(bias: nil, activation: epilogue.activation), to: c, rows: rows, columns: s.n) }
        }
    }

    /// Bias and activation over a finished [rows, columns] product, row by row.
    func applyEpilogue(_ epilogue: Epilogue, to c: Value, rows: RowCount, columns: Int) {
        guard !epilogue.isEmpty else { return }
        loop(to: value(rows), step: 1) { i in
            let row = advance(c, by: mulInt(i, int(columns)))
            forEachVector(count: columns) { j, lanes in
                let p = advance(row, by: j)
                store(finish(load(p, lanes: lanes), epilogue, column: j, lanes: lanes), p, lanes: lanes)
            }
        }
    }

    func value(_ rows: RowCount) -> Value {
        switch rows {
        case .known(let m): return int(m)
        case .argument(let m, _): return m
        }
    }

    /// `body(row, count)` for the tiles of `tile` rows, then the rows left over as one smaller tile.
    func forEachRowTile(_ rows: RowCount, tile: Int, _ body: (Value, Int) -> Void) {
        switch rows {
        case .known(let m):
            let full = m / tile * tile
            loop(to: full, step: tile) { body($0, tile) }
            if full < m { body(int(full), m - full) }
        case let .argument(m, leftOver):
            let full = subInt(m, int(leftOver))
            loop(to: full, step: tile) { body($0, tile) }
            if leftOver > 0 { body(full, leftOver) }
        }
    }

    /// cblas_sgemm(RowMajor, …, alpha 1, beta 0) on the node's operands. OpenBLAS takes 32-bit
    /// dimensions; `MatmulKernel.choose` never picks it for larger ones.
    private func callSgemm(_ s: MatmulShape, rows: RowCount, a: Value, b: Value, c: Value) {
        let sgemm = declare("cblas_sgemm",
                             [int32, int32, int32, int32, int32, int32, float, floatPointer, int32,
                              floatPointer, int32, float, floatPointer, int32])
        let rowMajor: Int32 = 101, noTranspose: Int32 = 111, transpose: Int32 = 112
        let dimension = { (v: Int) in self.i32(Int32(v)) }
        call(sgemm, [
            i32(rowMajor), i32(s.transposeA ? transpose : noTranspose), i32(s.transposeB ? transpose : noTranspose),
            LLVMBuildTrunc(builder, value(rows), int32, "")!, dimension(s.n), dimension(s.k), constant(1), a,
            dimension(s.transposeA ? s.m : s.k),
            b, dimension(s.transposeB ? s.k : s.n), constant(0), c, dimension(s.n)])
    }
}
