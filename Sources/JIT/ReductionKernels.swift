import CLLVM

extension Emitter {
    /// y[o, i] = Σ_e x[o, e, i]. Partial sums stay in vector registers; lanes are added only
    /// once per output, as a tree (a float add chain across lanes would not vectorize).
    func sum(_ x: Value, into y: Value, _ layout: (outer: Int, extent: Int, inner: Int)) {
        let (outer, extent, inner) = layout
        loop(to: outer) { o in
            if inner == 1 {
                storeScalar(sumContiguous(advance(x, by: mulInt(o, int(extent))), count: extent), advance(y, by: o))
                return
            }
            let plane = advance(x, by: mulInt(o, int(extent * inner)))
            forEachVector(count: inner) { column, lanes in
                let total = loop(to: extent, carrying: [splat(Float(0))]) { e, partial in
                    [add(partial[0], load(advance(plane, by: addInt(mulInt(e, int(inner)), column)), lanes: lanes))]
                }
                store(total[0], advance(advance(y, by: mulInt(o, int(inner))), by: column), lanes: lanes)
            }
        }
    }

    /// Σ of `count` consecutive floats (of their squares if `squared`), with four vector
    /// accumulators so that the adds of one iteration do not wait on each other. Squares are
    /// rounded before they are added (a multiply, then an add; no FMA), so the sum of squares
    /// equals, bit for bit, a `square` kernel followed by a `sum` kernel.
    func sumContiguous(_ x: Value, count: Int, squared: Bool = false) -> Value {
        let width = 4 * Self.lanes
        let blocks = count / width * width
        func term(_ v: Value) -> Value { squared ? mul(v, v) : v }
        var partial = loop(to: blocks, step: width, carrying: Array(repeating: splat(Float(0)), count: 4)) { i, acc in
            (0..<4).map { add(acc[$0], term(load(advance(x, by: addInt(i, int($0 * Self.lanes)))))) }
        }
        var next = 0
        var offset = blocks
        while offset < count {
            let lanes = min(Self.lanes, count - offset)
            partial[next] = add(partial[next], term(load(advance(x, by: offset), lanes: lanes)))
            next = (next + 1) % 4
            offset += lanes
        }
        return horizontalSum(add(add(partial[0], partial[1]), add(partial[2], partial[3])))
    }

    /// y[r] = m + log Σ_c exp(x[r, c] − m), m the row's maximum (taken in column order, as the
    /// interpreter does), exp and log by the module's polynomials; a row whose maximum is ±∞ or
    /// NaN gives that maximum, as in the interpreter.
    func logSumExp(_ x: Value, into y: Value, rows: Int, columns: Int) {
        loop(to: rows) { r in
            let row = advance(x, by: mulInt(r, int(columns)))
            let first = loadScalar(row)
            let m = loop(from: 1, to: columns, carrying: [first]) { c, carried in
                let v = loadScalar(advance(row, by: c))
                return [select(compare(LLVMRealOGE, v, carried[0]), v, carried[0])]
            }[0]
            let shift = splat(m)
            var total = splat(Float(0))
            var offset = 0
            while offset < columns {
                let lanes = min(Self.lanes, columns - offset)
                let terms = exp(sub(load(advance(row, by: offset), lanes: lanes), shift))
                total = add(total, lanes == Self.lanes ? terms : select(mask(lanes), terms, splat(Float(0))))
                offset += lanes
            }
            let result = add(m, extract(log(splat(horizontalSum(total))), 0))
            let finite = compare(LLVMRealOLT, intrinsic("llvm.fabs", [float], [m]), constant(.infinity))
            storeScalar(select(finite, result, m), advance(y, by: r))
        }
    }

    /// y[o, e, i] = x[o, i]: the inverse of sum.
    func broadcast(_ x: Value, into y: Value, _ layout: (outer: Int, extent: Int, inner: Int)) {
        let (outer, extent, inner) = layout
        loop(to: outer) { o in
            let row = advance(y, by: mulInt(o, int(extent * inner)))
            if inner == 1 {
                fill(splat(loadScalar(advance(x, by: o))), row, count: extent)
            } else {
                loop(to: extent) { e in copy(advance(x, by: mulInt(o, int(inner))), into: advance(row, by: mulInt(e, int(inner))), count: inner) }
            }
        }
    }
}
