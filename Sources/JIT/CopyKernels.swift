extension Emitter {
    /// Copies `count` consecutive floats.
    func copy(_ x: Value, into y: Value, count: Int) {
        forEachVector(count: count) { offset, lanes in
            store(load(advance(x, by: offset), lanes: lanes), advance(y, by: offset), lanes: lanes)
        }
    }

    /// Writes the lanes of `value` (a vector with one value in every lane) over `count` floats.
    func fill(_ value: Value, _ y: Value, count: Int) {
        forEachVector(count: count) { offset, lanes in store(value, advance(y, by: offset), lanes: lanes) }
    }

    /// On every row, copies `count` columns starting at column `from` of x (rows of `xWidth`)
    /// to column `to` of y (rows of `yWidth`): slice, pad and concat along the last axis.
    func copyColumns(_ x: Value, width xWidth: Int, from: Int, into y: Value, width yWidth: Int, at to: Int,
                     count: Int, rows: Int) {
        loop(to: rows) { r in
            copy(advance(x, by: addInt(mulInt(r, int(xWidth)), int(from))),
                 into: advance(y, by: addInt(mulInt(r, int(yWidth)), int(to))), count: count)
        }
    }

    func concat(_ parts: [Value], widths: [Int], into y: Value, rows: Int) {
        let total = widths.reduce(0, +)
        var start = 0
        for (x, width) in zip(parts, widths) {
            copyColumns(x, width: width, from: 0, into: y, width: total, at: start, count: width, rows: rows)
            start += width
        }
    }
}
