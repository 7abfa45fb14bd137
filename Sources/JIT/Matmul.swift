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

    /// Floats of scratch the product needs: a transposed copy of an operand, or of the result.
    func scratchFloats(_ kernel: MatmulKernel) -> Int {
        guard kernel == .jit else { return 0 }
        if isNarrow { return transposeA ? m * n : (transposeB ? 0 : k * n) }
        return transposeB ? n * k : 0
    }
}

/// What a dense layer does to the product before storing it.
struct Epilogue {
    var bias: Value?
    var activation: UnaryOp?
    static let none = Epilogue(bias: nil, activation: nil)
    var isEmpty: Bool { bias == nil && activation == nil }
}

extension Emitter {
    func matmul(_ s: MatmulShape, a: Value, b: Value, c: Value, kernel: MatmulKernel, scratch: Value?,
                epilogue: Epilogue = .none) {
        switch kernel {
        case .blas:
            callSgemm(s, a: a, b: b, c: c)
            applyEpilogue(epilogue, to: c, rows: s.m, columns: s.n)
        case .jit where s.isNarrow:
            narrowMatmul(s, a: a, b: b, c: c, scratch: scratch, epilogue: epilogue)
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
            tiledMatmul(s, a: a, b: packed, c: c, epilogue: Epilogue(bias: epilogue.bias, activation: inline ? epilogue.activation : nil))
            if !inline { applyEpilogue(Epilogue(bias: nil, activation: epilogue.activation), to: c, rows: s.m, columns: s.n) }
        }
    }

    /// Bias and activation over a finished [rows, columns] product, row by row.
    func applyEpilogue(_ epilogue: Epilogue, to c: Value, rows: Int, columns: Int) {
        guard !epilogue.isEmpty else { return }
        loop(to: rows) { i in
            let row = advance(c, by: mulInt(i, int(columns)))
            forEachVector(count: columns) { j, lanes in
                let p = advance(row, by: j)
                store(finish(load(p, lanes: lanes), epilogue, column: j, lanes: lanes), p, lanes: lanes)
            }
        }
    }

    /// cblas_sgemm(RowMajor, …, alpha 1, beta 0) on the node's operands. OpenBLAS takes 32-bit
    /// dimensions; `MatmulKernel.choose` never picks it for larger ones.
    private func callSgemm(_ s: MatmulShape, a: Value, b: Value, c: Value) {
        let sgemm = declare("cblas_sgemm",
                             [int32, int32, int32, int32, int32, int32, float, floatPointer, int32,
                              floatPointer, int32, float, floatPointer, int32])
        let rowMajor: Int32 = 101, noTranspose: Int32 = 111, transpose: Int32 = 112
        let dimension = { (v: Int) in self.i32(Int32(v)) }
        call(sgemm, [
            i32(rowMajor), i32(s.transposeA ? transpose : noTranspose), i32(s.transposeB ? transpose : noTranspose),
            dimension(s.m), dimension(s.n), dimension(s.k), constant(1), a, dimension(s.transposeA ? s.m : s.k),
            b, dimension(s.transposeB ? s.k : s.n), constant(0), c, dimension(s.n)])
    }
}
