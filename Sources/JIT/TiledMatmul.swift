import IR

extension Emitter {
    /// Rows of C per register tile, and vectors of 16 columns per row: chosen for this host's
    /// vector registers (`registerTile`).
    static let tileRows = registerTile(HostCPU.current).rows
    static let tileVectors = registerTile(HostCPU.current).vectors

    /// The register tile that keeps the most FMAs in flight per step of k while its
    /// accumulators, the B vectors of the step and the broadcast A value all stay in registers:
    /// a 16-lane vector takes one 512-bit register, two 256-bit or four 128-bit ones. At most 8
    /// rows (batches are multiples of 8, and more rows leave more over) and 2 vectors (32
    /// columns; layer widths are multiples of 32 more often than of 64); ties go to more rows,
    /// which load B less often. AVX-512's 32 registers give 8 rows × 2 vectors (16 accumulators,
    /// the tile measured fastest on Zen 5); AVX2's 16 give 6 rows × 1 vector (12 ymm
    /// accumulators: the classic 6 × 16 kernel), where 8 × 2 needs 32 ymm accumulators and spills.
    static func registerTile(_ host: HostCPU) -> (rows: Int, vectors: Int) {
        let parts = registersPerVector(host)
        var best = (rows: 1, vectors: 1, fmas: 0)
        for vectors in 1...2 {
            for rows in 1...8 where (rows * vectors + vectors) * parts + 1 <= host.vectorRegisters {
                let fmas = rows * vectors * parts
                if fmas > best.fmas || (fmas == best.fmas && rows > best.rows) { best = (rows, vectors, fmas) }
            }
        }
        return (best.rows, best.vectors)
    }

    /// Hardware registers that hold one 16-lane vector.
    static func registersPerVector(_ host: HostCPU) -> Int { max(1, lanes * 32 / host.vectorBits) }

    /// The register-tiled product over B stored [k, n]. Column blocks are the outer loop so
    /// that a k × 32 panel of B stays in L1 while every row block of A passes over it.
    func tiledMatmul(_ s: MatmulShape, rows: RowCount, a: Value, b: Value, c: Value, epilogue: Epilogue) {
        let blockWidth = Self.tileVectors * Self.lanes
        let fullColumns = s.n / blockWidth * blockWidth
        let rest = s.n - fullColumns
        let restWidths = rest > Self.lanes ? [Self.lanes, rest - Self.lanes] : rest > 0 ? [rest] : []

        func rowBlocks(at column: Value, widths: [Int]) {
            forEachRowTile(rows, tile: Self.tileRows) { row, count in
                tile(s, a: a, b: b, c: c, row: row, rows: count, column: column, widths: widths, epilogue)
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
        // A and B are walked with pointers that advance by one step of k per iteration, and the
        // rows of the tile sit at constant distances from the first: simple induction variables
        // are cheaper for LLVM to analyse than an address computed from indices per load.
        let aStart = advance(a, by: s.transposeA ? row : mulInt(row, int(s.k)))
        let (aStep, aRowDistance) = s.transposeA ? (s.m, 1) : (1, s.k)
        let carried = [aStart, advance(b, by: column)] + Array(repeating: splat(Float(0)), count: count)
        let sums = Array(loop(to: s.k, carrying: carried) { _, state in
            let (aRow, bRow) = (state[0], state[1])
            let acc = Array(state[2...])
            let bVectors = widths.enumerated().map { v, lanes in load(advance(bRow, by: v * Self.lanes), lanes: lanes) }
            var next = acc
            for r in 0..<rows {
                let aValue = splat(loadScalar(advance(aRow, by: r * aRowDistance)))
                for v in widths.indices { next[r * widths.count + v] = fma(aValue, bVectors[v], acc[r * widths.count + v]) }
            }
            return [advance(aRow, by: aStep), advance(bRow, by: s.n)] + next
        }[2...])
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
    func finish(_ x: Value, _ epilogue: Epilogue, column: Value, lanes: Int) -> Value {
        var x = x
        if let bias = epilogue.bias { x = add(x, load(advance(bias, by: column), lanes: lanes)) }
        if let activation = epilogue.activation { x = apply(activation, x) }
        return x
    }
}
