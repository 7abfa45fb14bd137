import IR

/// Per-instruction scratch for fused loops, which run in chunks that stay in L1, and a slot
/// for each literal argument (two per instruction), so that a run allocates nothing.
final class Scratch<T: Scalar> {
    static var chunk: Int { 512 }
    let buffer: UnsafeMutablePointer<T>
    let literals: UnsafeMutablePointer<T>
    let instructions: Int
    init(instructions: Int) {
        self.instructions = instructions
        buffer = .allocate(capacity: instructions * (Self.chunk + 2))
        buffer.initialize(repeating: 0, count: instructions * (Self.chunk + 2))
        literals = buffer + instructions * Self.chunk
    }
    deinit { buffer.deallocate() }
}

/// The interpreter's loops. Strides are 1 for a tensor and 0 for a broadcast scalar.
enum Kernels {
    /// y = f(x). In place (y == x, as for a dense layer's activation) the loop reads and writes
    /// one array, which LLVM vectorizes; through two pointers that may overlap it would not.
    @inline(__always)
    static func map<T: Scalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, _ f: (T) -> T) {
        if UnsafePointer(y) == x {
            for i in 0..<n { y[i] = f(y[i]) }
        } else {
            for i in 0..<n { y[i] = f(x[i]) }
        }
    }

    @inline(__always)
    static func map<T: Scalar>(_ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int,
                               _ y: UnsafeMutablePointer<T>, _ n: Int, _ f: (T, T) -> T) {
        switch (sa, sb) {
        case (1, 1): for i in 0..<n { y[i] = f(a[i], b[i]) }
        case (1, _): let s = b[0]; for i in 0..<n { y[i] = f(a[i], s) }
        case (_, 1): let s = a[0]; for i in 0..<n { y[i] = f(s, b[i]) }
        default: let r = f(a[0], b[0]); for i in 0..<n { y[i] = r }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func unary<T: Scalar>(_ op: UnaryOp, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        switch op {
        case .neg: map(x, y, n) { -$0 }
        case .exp: map(x, y, n) { T.exp($0) }
        case .log: map(x, y, n) { T.log($0) }
        case .sqrt: map(x, y, n) { T.sqrt($0) }
        case .square: map(x, y, n) { $0 * $0 }
        case .tanh: map(x, y, n) { T.tanh($0) }
        case .sigmoid: map(x, y, n) { 1 / (1 + T.exp(-$0)) }
        case .softplus:
            // max(x, 0) + log1p(e^−|x|), log1p(e) as log(u)·e / (u − 1) with u = 1 + e (Goldberg).
            map(x, y, n) { v in
                let e = T.exp(-Swift.abs(v)), u = 1 + e
                return Swift.max(v, 0) + (u == 1 ? e : T.log(u) * e / (u - 1))
            }
        case .leakyReLU(let slope): let s = T(slope); map(x, y, n) { $0 > 0 ? $0 : $0 * s }
        case let .clamp(low, high): let lo = T(low), hi = T(high); map(x, y, n) { Swift.min(Swift.max($0, lo), hi) }
        }
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func binary<T: Scalar>(_ op: BinaryOp, _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int,
                                  _ y: UnsafeMutablePointer<T>, _ n: Int) {
        switch op {
        case .add: map(a, sa, b, sb, y, n, +)
        case .sub: map(a, sa, b, sb, y, n, -)
        case .mul: map(a, sa, b, sb, y, n, *)
        case .div: map(a, sa, b, sb, y, n, /)
        case .maximum: map(a, sa, b, sb, y, n) { Swift.max($0, $1) }
        case .minimum: map(a, sa, b, sb, y, n) { Swift.min($0, $1) }
        case .less: map(a, sa, b, sb, y, n) { $0 < $1 ? 1 : 0 }
        case .leakyReLUGrad(let slope): let s = T(slope); map(a, sa, b, sb, y, n) { $0 > 0 ? $1 : $1 * s }
        case let .clampGrad(low, high):
            let lo = T(low), hi = T(high)
            map(a, sa, b, sb, y, n) { $0 >= lo && $0 <= hi ? $1 : 0 }
        }
    }

    /// A fused body, chunk by chunk: each instruction is one vectorizable loop over the chunk.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func fused<T: Scalar>(_ body: FusedBody, _ operands: [UnsafeMutablePointer<T>], _ strides: [Int],
                                 _ y: UnsafeMutablePointer<T>, _ n: Int, _ scratch: Scratch<T>) {
        let chunk = Scratch<T>.chunk
        for (i, ins) in body.instructions.enumerated() {
            for (j, argument) in ins.arguments.enumerated() {
                if case .literal(let v) = argument { scratch.literals[2 * i + j] = T(v) }
            }
        }
        var start = 0
        while start < n {
            let count = min(chunk, n - start)
            for (i, ins) in body.instructions.enumerated() {
                let out = i == body.instructions.count - 1 ? y + start : scratch.buffer + i * chunk
                // Where argument j of this instruction starts in the chunk, and its stride.
                func argument(_ j: Int) -> (UnsafeMutablePointer<T>, Int) {
                    switch ins.arguments[j] {
                    case .operand(let k): return (operands[k] + start * strides[k], strides[k])
                    case .result(let r): return (scratch.buffer + r * chunk, 1)
                    case .literal: return (scratch.literals + 2 * i + j, 0)
                    }
                }
                switch ins.kind {
                case .unary(let op):
                    let (x, stride) = argument(0)
                    if stride == 1 { unary(op, x, out, count) }
                    else { unary(op, x, out, 1); let v = out[0]; out.update(repeating: v, count: count) }
                case .binary(let op):
                    let (a, sa) = argument(0), (b, sb) = argument(1)
                    binary(op, a, sa, b, sb, out, count)
                }
            }
            start += count
        }
    }

    /// y = activation(x + bias), row by row (x and y may alias).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func addBias<T: Scalar>(_ x: UnsafePointer<T>, _ bias: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                   rows: Int, columns: Int, activation: UnaryOp?) {
        for r in 0..<rows {
            let xr = x + r * columns, yr = y + r * columns
            if UnsafePointer(yr) == xr {  // in place, as map
                for c in 0..<columns { yr[c] += bias[c] }
            } else {
                for c in 0..<columns { yr[c] = xr[c] + bias[c] }
            }
            if let activation { unary(activation, yr, yr, columns) }
        }
    }

    /// A shape viewed as [outer, extent, inner] around `axis` (nil: everything is the extent).
    static func split(_ shape: Shape, at axis: Int?) -> (Int, Int, Int) {
        guard let axis else { return (1, shape.count, 1) }
        let outer = shape.dims[..<axis].reduce(1, *)
        let inner = shape.dims[(axis + 1)...].reduce(1, *)
        return (outer, shape.dims[axis], inner)
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func sum<T: Scalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, outer: Int, extent: Int, inner: Int) {
        if inner == 1 {
            for o in 0..<outer { y[o] = sum(x + o * extent, extent) }
            return
        }
        for o in 0..<outer {
            let yo = y + o * inner
            yo.update(repeating: 0, count: inner)
            for e in 0..<extent {
                let xe = x + (o * extent + e) * inner
                for i in 0..<inner { yo[i] += xe[i] }
            }
        }
    }

    /// y[r] = m + log Σ_c exp(x[r, c] − m) with m the row's maximum, so that no exp overflows;
    /// a row whose maximum is ±∞ or NaN gives that maximum.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func logSumExp<T: Scalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, rows: Int, columns: Int) {
        for r in 0..<rows {
            let row = x + r * columns
            var m = row[0]
            for c in 1..<columns { m = Swift.max(m, row[c]) }
            guard m.isFinite else { y[r] = m; continue }
            var total = T(0)
            for c in 0..<columns { total += T.exp(row[c] - m) }
            y[r] = m + T.log(total)
        }
    }

    /// Σ x[0..<n] in eight interleaved partial sums: one running sum would make every add wait
    /// for the one before it.
    @inline(__always)
    static func sum<T: Scalar>(_ x: UnsafePointer<T>, _ n: Int) -> T {
        var partial = (T(0), T(0), T(0), T(0), T(0), T(0), T(0), T(0))
        var i = 0
        while i + 8 <= n {
            partial.0 += x[i]; partial.1 += x[i + 1]; partial.2 += x[i + 2]; partial.3 += x[i + 3]
            partial.4 += x[i + 4]; partial.5 += x[i + 5]; partial.6 += x[i + 6]; partial.7 += x[i + 7]
            i += 8
        }
        var total = ((partial.0 + partial.1) + (partial.2 + partial.3)) + ((partial.4 + partial.5) + (partial.6 + partial.7))
        while i < n { total += x[i]; i += 1 }
        return total
    }

    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func broadcast<T: Scalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, outer: Int, extent: Int, inner: Int) {
        for o in 0..<outer {
            for e in 0..<extent { (y + (o * extent + e) * inner).update(from: x + o * inner, count: inner) }
        }
    }

    /// Copies `count` columns per row from column `from` of x (row length xw) to column `to` of y (row length yw).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func copyColumns<T: Scalar>(_ x: UnsafePointer<T>, _ xw: Int, _ from: Int,
                                       _ y: UnsafeMutablePointer<T>, _ yw: Int, _ to: Int, _ count: Int, _ rows: Int) {
        for r in 0..<rows { (y + r * yw + to).update(from: x + r * xw + from, count: count) }
    }

    /// PyTorch's AdamW on one tensor, with the gradient first scaled by the clipping factor.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func adamw<T: Scalar>(_ s: AdamW, parameter p: UnsafeMutablePointer<T>, gradient g: UnsafePointer<T>,
                                 m: UnsafeMutablePointer<T>, v: UnsafeMutablePointer<T>, count: Int,
                                 learningRate lr: T, step: T, gradientScale scale: T) {
        let b1 = T(s.beta1), b2 = T(s.beta2), eps = T(s.epsilon)
        let decay = 1 - lr * T(s.weightDecay)
        let c1 = 1 - T.exp(step * T.log(b1)), c2 = 1 - T.exp(step * T.log(b2))
        let stepSize = lr / c1, rootC2 = T.sqrt(c2)
        for i in 0..<count {
            let gi = g[i] * scale
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            // v is a sum of squares, never negative; taking its magnitude tells LLVM so, and
            // the square root then vectorizes instead of calling libm (which sets errno).
            p[i] = p[i] * decay - stepSize * m[i] / (T.sqrt(v[i].magnitude) / rootC2 + eps)
        }
    }
}
