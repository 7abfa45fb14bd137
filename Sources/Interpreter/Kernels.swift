import IR

/// Per-instruction scratch for fused loops, which run in chunks that stay in L1.
final class Scratch<T: Scalar> {
    static var chunk: Int { 512 }
    let buffer: UnsafeMutablePointer<T>
    let instructions: Int
    init(instructions: Int) {
        self.instructions = instructions
        buffer = .allocate(capacity: instructions * Self.chunk)
        buffer.initialize(repeating: 0, count: instructions * Self.chunk)
    }
    deinit { buffer.deallocate() }
}

/// The interpreter's loops. Strides are 1 for a tensor and 0 for a broadcast scalar.
enum Kernels {
    @inline(__always)
    static func map<T: Scalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, _ f: (T) -> T) {
        for i in 0..<n { y[i] = f(x[i]) }
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

    static func unary<T: Scalar>(_ op: UnaryOp, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        switch op {
        case .neg: map(x, y, n) { -$0 }
        case .exp: map(x, y, n) { T.exp($0) }
        case .log: map(x, y, n) { T.log($0) }
        case .sqrt: map(x, y, n) { T.sqrt($0) }
        case .square: map(x, y, n) { $0 * $0 }
        case .tanh: map(x, y, n) { T.tanh($0) }
        case .sigmoid: map(x, y, n) { 1 / (1 + T.exp(-$0)) }
        case .leakyReLU(let slope): let s = T(slope); map(x, y, n) { $0 > 0 ? $0 : $0 * s }
        case let .clamp(low, high): let lo = T(low), hi = T(high); map(x, y, n) { Swift.min(Swift.max($0, lo), hi) }
        }
    }

    static func binary<T: Scalar>(_ op: BinaryOp, _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int,
                                  _ y: UnsafeMutablePointer<T>, _ n: Int) {
        switch op {
        case .add: map(a, sa, b, sb, y, n, +)
        case .sub: map(a, sa, b, sb, y, n, -)
        case .mul: map(a, sa, b, sb, y, n, *)
        case .div: map(a, sa, b, sb, y, n, /)
        case .maximum: map(a, sa, b, sb, y, n) { Swift.max($0, $1) }
        case .minimum: map(a, sa, b, sb, y, n) { Swift.min($0, $1) }
        case .leakyReLUGrad(let slope): let s = T(slope); map(a, sa, b, sb, y, n) { $0 > 0 ? $1 : $1 * s }
        case let .clampGrad(low, high):
            let lo = T(low), hi = T(high)
            map(a, sa, b, sb, y, n) { $0 >= lo && $0 <= hi ? $1 : 0 }
        }
    }

    /// A fused body, chunk by chunk: each instruction is one vectorizable loop over the chunk.
    static func fused<T: Scalar>(_ body: FusedBody, _ operands: [UnsafeMutablePointer<T>], _ strides: [Int],
                                 _ y: UnsafeMutablePointer<T>, _ n: Int, _ scratch: Scratch<T>) {
        let chunk = Scratch<T>.chunk
        var literals = body.instructions.flatMap(\.arguments).compactMap { a -> T? in
            if case .literal(let v) = a { return T(v) } else { return nil }
        }
        literals.withUnsafeMutableBufferPointer { literalValues in
            var start = 0
            while start < n {
                let count = min(chunk, n - start)
                var nextLiteral = 0
                for (i, ins) in body.instructions.enumerated() {
                    let out = i == body.instructions.count - 1 ? y + start : scratch.buffer + i * chunk
                    let args = ins.arguments.map { a -> (UnsafeMutablePointer<T>, Int) in
                        switch a {
                        case .operand(let k): return (operands[k] + start * strides[k], strides[k])
                        case .result(let j): return (scratch.buffer + j * chunk, 1)
                        case .literal:
                            defer { nextLiteral += 1 }
                            return (literalValues.baseAddress! + nextLiteral, 0)
                        }
                    }
                    switch ins.kind {
                    case .unary(let op):
                        if args[0].1 == 1 { unary(op, args[0].0, out, count) }
                        else { unary(op, args[0].0, out, 1); let v = out[0]; out.update(repeating: v, count: count) }
                    case .binary(let op):
                        binary(op, args[0].0, args[0].1, args[1].0, args[1].1, out, count)
                    }
                }
                start += count
            }
        }
    }

    /// y = activation(x + bias), row by row (x and y may alias).
    static func addBias<T: Scalar>(_ x: UnsafePointer<T>, _ bias: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                   rows: Int, columns: Int, activation: UnaryOp?) {
        for r in 0..<rows {
            let xr = x + r * columns, yr = y + r * columns
            for c in 0..<columns { yr[c] = xr[c] + bias[c] }
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

    static func sum<T: Scalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, outer: Int, extent: Int, inner: Int) {
        for o in 0..<outer {
            let yo = y + o * inner
            yo.update(repeating: 0, count: inner)
            for e in 0..<extent {
                let xe = x + (o * extent + e) * inner
                for i in 0..<inner { yo[i] += xe[i] }
            }
        }
    }

    static func broadcast<T: Scalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, outer: Int, extent: Int, inner: Int) {
        for o in 0..<outer {
            for e in 0..<extent { (y + (o * extent + e) * inner).update(from: x + o * inner, count: inner) }
        }
    }

    /// Copies `count` columns per row from column `from` of x (row length xw) to column `to` of y (row length yw).
    static func copyColumns<T: Scalar>(_ x: UnsafePointer<T>, _ xw: Int, _ from: Int,
                                       _ y: UnsafeMutablePointer<T>, _ yw: Int, _ to: Int, _ count: Int, _ rows: Int) {
        for r in 0..<rows { (y + r * yw + to).update(from: x + r * xw + from, count: count) }
    }

    /// PyTorch's AdamW on one tensor, with the gradient first scaled by the clipping factor.
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
            p[i] = p[i] * decay - stepSize * m[i] / (T.sqrt(v[i]) / rootC2 + eps)
        }
    }
}
