import IR

extension Emitter {
    /// C = op(A) · op(B) with fewer than 16 columns. A row tile would compute 16 lanes for every
    /// few it keeps, so the work is vectorized along another dimension:
    /// - A stored transposed ([k, m], the weight gradients of the backward pass): A's rows run
    ///   along C's columns, so Cᵀ is a wide product, computed by the tiled kernel and transposed.
    /// - A stored as is ([m, k]): dot products along k, with B's columns copied out as rows
    ///   (unless B is stored transposed, which gives them as rows already).
    func narrowMatmul(_ s: MatmulShape, rows: RowCount, a: Value, b: Value, c: Value, scratch: Value?, epilogue: Epilogue) {
        if s.transposeA {
            // Cᵀ[j, i] = Σ op(B)[k, j] · A[k, i]: op(B)ᵀ is B read transposed unless B is stored so.
            let cT = scratch!
            tiledMatmul(MatmulShape(m: s.n, n: s.m, k: s.k, transposeA: !s.transposeB, transposeB: false), rows: .known(s.n),
                        a: b, b: a, c: cT, epilogue: .none)
            transpose(cT, rows: s.n, columns: s.m, into: c)
            applyEpilogue(epilogue, to: c, rows: rows, columns: s.n)
            return
        }
        var rowsOfB = b
        if !s.transposeB {
            transpose(b, rows: s.k, columns: s.n, into: scratch!)
            rowsOfB = scratch!
        }
        dotProducts(s, rows: rows, a: a, bRows: rowsOfB, c: c, epilogue: epilogue)
    }

    /// Rows of C per tile of the narrow kernel for n columns: as many as fill 16 lanes, unless
    /// the tile's accumulators (rows × n) and the n vectors of B of a step would not fit in the
    /// vector registers (A's vectors are read once each, as operands of the FMAs). With AVX-512
    /// that is 16 rows of 1 column, 8 of 2, 3 of 5, 1 of 10; with AVX2 (a 16-lane vector in two
    /// of its 16 registers), 7 rows of 1 column, 3 of 2, 1 of 5.
    static func narrowTileRows(n: Int, host: HostCPU = .current) -> Int {
        let vectors = host.vectorRegisters / registersPerVector(host), n = max(n, 1)
        return max(1, min(lanes / n, (vectors - n) / n))
    }

    /// C[i, j] = A[i, ·] · B[j, ·] for B given as n rows of k. A tile is as many rows of C as
    /// fit (`narrowTileRows`: 8 rows of 2 columns, 3 of 5, 1 of 10 with AVX-512), one accumulator vector per element
    /// summing 16 products of k at a time; the accumulators are then reduced into one vector,
    /// which is exactly the tile's rows of C one after another, so it is stored at once.
    private func dotProducts(_ s: MatmulShape, rows: RowCount, a: Value, bRows: Value, c: Value, epilogue: Epilogue) {
        let tileRows = Self.narrowTileRows(n: s.n)
        // The bias of every lane of a tile: lane l is column l mod n.
        let bias = epilogue.bias.map { bias in
            shuffle(load(bias, lanes: s.n), splat(Float(0)), (0..<Self.lanes).map { $0 % s.n })
        }
        func tile(row: Value, rows: Int) {
            let products = rows * s.n
            var sums = Array(repeating: splat(Float(0)), count: products)
            let fullK = s.k / Self.lanes * Self.lanes
            func accumulate(_ k: Value, lanes: Int, _ acc: [Value]) -> [Value] {
                let aRows = (0..<rows).map { r in load(advance(a, by: addInt(mulInt(addInt(row, int(r)), int(s.k)), k)), lanes: lanes) }
                let bVectors = (0..<s.n).map { j in load(advance(bRows, by: addInt(int(j * s.k), k)), lanes: lanes) }
                return (0..<products).map { p in fma(aRows[p / s.n], bVectors[p % s.n], acc[p]) }
            }
            sums = loop(to: fullK, step: Self.lanes, carrying: sums) { k, acc in accumulate(k, lanes: Self.lanes, acc) }
            if fullK < s.k { sums = accumulate(int(fullK), lanes: s.k - fullK, sums) }
            var result = laneSums(sums)
            if let bias { result = add(result, bias) }
            if let activation = epilogue.activation { result = apply(activation, result) }
            store(result, advance(c, by: mulInt(row, int(s.n))), lanes: products)
        }
        forEachRowTile(rows, tile: tileRows) { tile(row: $0, rows: $1) }
    }
}
