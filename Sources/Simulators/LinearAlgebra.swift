/// Small dense linear algebra on row-major arrays, for priors and task constants.

/// The lower Cholesky factor L of a symmetric positive definite n × n matrix (A = L·Lᵀ),
/// or nil when A is not positive definite.
func cholesky(_ a: [Double], dimension n: Int) -> [Double]? {
    var l = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0...i {
            var sum = a[i * n + j]
            for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
            if i == j {
                guard sum > 0 else { return nil }
                l[i * n + i] = sum.squareRoot()
            } else {
                l[i * n + j] = sum / l[j * n + j]
            }
        }
    }
    return l
}

/// L·x for a lower-triangular row-major L.
func lowerTriangularProduct(_ l: [Double], _ x: [Double]) -> [Double] {
    let n = x.count
    return (0..<n).map { i in
        var sum = 0.0
        for j in 0...i { sum += l[i * n + j] * x[j] }
        return sum
    }
}

/// The solution y of L·y = b for a lower-triangular row-major L.
func lowerTriangularSolve(_ l: [Double], _ b: [Double]) -> [Double] {
    let n = b.count
    var y = b
    for i in 0..<n {
        for j in 0..<i { y[i] -= l[i * n + j] * y[j] }
        y[i] /= l[i * n + i]
    }
    return y
}

/// The inverse of a symmetric positive definite matrix, through its Cholesky factor;
/// nil when the matrix is not positive definite.
func inverseSPD(_ a: [Double], dimension n: Int) -> [Double]? {
    guard let l = cholesky(a, dimension: n) else { return nil }
    var inverse = [Double](repeating: 0, count: n * n)
    for column in 0..<n {
        var e = [Double](repeating: 0, count: n)
        e[column] = 1
        // A⁻¹e = L⁻ᵀ(L⁻¹e): forward then backward substitution.
        var x = lowerTriangularSolve(l, e)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in (i + 1)..<n { x[i] -= l[j * n + i] * x[j] }
            x[i] /= l[i * n + i]
        }
        for row in 0..<n { inverse[row * n + column] = x[row] }
    }
    return inverse
}

/// A·B for n × n row-major matrices.
func product(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
    var c = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for k in 0..<n {
            for j in 0..<n { c[i * n + j] += a[i * n + k] * b[k * n + j] }
        }
    }
    return c
}

/// (A + Aᵀ)/2, removing the rounding asymmetry of a computed inverse.
func symmetrized(_ a: [Double], _ n: Int) -> [Double] {
    guard a.count == n * n else { return a }
    var s = a
    for i in 0..<n { for j in 0..<n { s[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]) } }
    return s
}
