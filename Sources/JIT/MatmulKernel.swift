import CLLVM
import IR

/// Which code computes a matrix product.
public enum MatmulKernel: String, Hashable, Sendable, CaseIterable {
    /// The JIT's register-tiled micro-kernel, specialized to the shape.
    case tiled
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
}

/// What a dense layer does to the product before storing it.
struct Epilogue {
    var bias: Value?
    var activation: UnaryOp?
    static let none = Epilogue(bias: nil, activation: nil)
}

extension Emitter {
    /// Rows of C per register tile. With two vectors of 16 columns per row, the tile's 16
    /// accumulators, two B vectors and one broadcast A value fit in the 32 vector registers.
    static let tileRows = 8
    static let tileVectors = 2

    func matmul(_ s: MatmulShape, a: Value, b: Value, c: Value, kernel: MatmulKernel, scratch: Value?,
                epilogue: Epilogue = .none) {
        // A cheap activation is applied to each tile in registers; an expensive one (a
        // polynomial) would be emitted once per tile variant, so it gets one pass over C instead.
        let inline = epilogue.activation?.isCheap ?? true
        let perTile = Epilogue(bias: epilogue.bias, activation: inline ? epilogue.activation : nil)
        switch kernel {
        case .blas:
            callSgemm(s, a: a, b: b, c: c)
            if perTile.bias != nil || perTile.activation != nil {
                loop(to: s.m) { i in
                    let row = advance(c, by: mulInt(i, int(s.n)))
                    forEachVector(count: s.n) { j, lanes in
                        let p = advance(row, by: j)
                        store(finish(load(p, lanes: lanes), perTile, column: j, lanes: lanes), p, lanes: lanes)
                    }
                }
            }
        case .tiled:
            // The tile reads B along rows; a transposed B is first copied out transposed.
            var packed = b
            if s.transposeB, let scratch {
                transpose(b, rows: s.n, columns: s.k, into: scratch)
                packed = scratch
            }
            tiledMatmul(s, a: a, b: packed, c: c, epilogue: perTile)
        }
        if !inline, let activation = epilogue.activation {
            elementwise(count: s.m * s.n, [.memory(c)], [[s.m, s.n]], into: c) { apply(activation, $0[0]) }
        }
    }

    /// The register-tiled product over B stored [k, n]. Column blocks are the outer loop so
    /// that a k × 32 panel of B stays in L1 while every row block of A passes over it.
    private func tiledMatmul(_ s: MatmulShape, a: Value, b: Value, c: Value, epilogue: Epilogue) {
        let blockWidth = Self.tileVectors * Self.lanes
        let fullColumns = s.n / blockWidth * blockWidth
        let fullRows = s.m / Self.tileRows * Self.tileRows
        let rest = s.n - fullColumns
        let restWidths = rest > Self.lanes ? [Self.lanes, rest - Self.lanes] : rest > 0 ? [rest] : []

        func rowBlocks(at column: Value, widths: [Int]) {
            loop(to: fullRows, step: Self.tileRows) { row in
                tile(s, a: a, b: b, c: c, row: row, rows: Self.tileRows, column: column, widths: widths, epilogue)
            }
            if fullRows < s.m {
                tile(s, a: a, b: b, c: c, row: int(fullRows), rows: s.m - fullRows, column: column, widths: widths, epilogue)
            }
        }
        loop(to: fullColumns, step: blockWidth) { rowBlocks(at: $0, widths: Array(repeating: Self.lanes, count: Self.tileVectors)) }
        if !restWidths.isEmpty { rowBlocks(at: int(fullColumns), widths: restWidths) }
    }

    /// C[row ..< row + rows, column ..< column + Σ widths]: the accumulators live in registers
    /// for the whole k loop, each step one broadcast of A per row and one (masked) load of B per
    /// vector, then the epilogue and one store per accumulator.
    private func tile(_ s: MatmulShape, a: Value, b: Value, c: Value, row: Value, rows: Int, column: Value,
                      widths: [Int], _ epilogue: Epilogue) {
        let count = rows * widths.count
        let sums = loop(to: s.k, carrying: Array(repeating: splat(Float(0)), count: count)) { k, acc in
            let bRow = advance(b, by: addInt(mulInt(k, int(s.n)), column))
            let bVectors = widths.enumerated().map { v, lanes in load(advance(bRow, by: v * Self.lanes), lanes: lanes) }
            var next = acc
            for r in 0..<rows {
                let i = addInt(row, int(r))
                // A[i, k], or A[k, i] when A is stored transposed.
                let element = s.transposeA ? addInt(mulInt(k, int(s.m)), i) : addInt(mulInt(i, int(s.k)), k)
                let aValue = splat(loadScalar(advance(a, by: element)))
                for v in widths.indices { next[r * widths.count + v] = fma(aValue, bVectors[v], acc[r * widths.count + v]) }
            }
            return next
        }
        for r in 0..<rows {
            let cRow = advance(c, by: addInt(mulInt(addInt(row, int(r)), int(s.n)), column))
            for (v, lanes) in widths.enumerated() {
                let columnOffset = addInt(column, int(v * Self.lanes))
                store(finish(sums[r * widths.count + v], epilogue, column: columnOffset, lanes: lanes),
                      advance(cRow, by: v * Self.lanes), lanes: lanes)
            }
        }
    }

    /// Bias and activation on a vector of C starting at `column`.
    private func finish(_ x: Value, _ epilogue: Epilogue, column: Value, lanes: Int) -> Value {
        var x = x
        if let bias = epilogue.bias { x = add(x, load(advance(bias, by: column), lanes: lanes)) }
        if let activation = epilogue.activation { x = apply(activation, x) }
        return x
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
