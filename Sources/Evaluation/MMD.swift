import CBLAS
import Datasets
import Foundation

/// The unbiased estimate of the squared maximum mean discrepancy with a Gaussian kernel
/// k(x, y) = exp(−‖x − y‖² / (2σ²)), σ the median pairwise distance within the reference, as
/// sbibm 1.1.0 computes it (no z-scoring). 0 when the distributions agree.
public enum MMD {
    public struct Result: Sendable {
        public var mmd2: Double
        public var bandwidth: Double
    }

    public static func compute(_ samples: Matrix, reference: Matrix) throws -> Result {
        guard samples.columns == reference.columns else {
            throw EvaluationError("the samples have \(samples.columns) columns, the reference \(reference.columns)")
        }
        guard samples.rows >= 2, reference.rows >= 2 else { throw EvaluationError("MMD needs at least two samples in each set") }
        let sigma = medianPairwiseDistance(reference)
        guard sigma > 0 else { throw EvaluationError("the reference samples are all equal: no bandwidth") }
        let gamma = 1 / (2 * sigma * sigma)
        let (m, n) = (Double(reference.rows), Double(samples.rows))
        // Within-set sums include the diagonal, k(x, x) = 1, which the unbiased estimate leaves out.
        let xx = (kernelSum(reference, reference, gamma) - m) / (m * (m - 1))
        let yy = (kernelSum(samples, samples, gamma) - n) / (n * (n - 1))
        let xy = kernelSum(reference, samples, gamma) / (m * n)
        return Result(mmd2: xx + yy - 2 * xy, bandwidth: sigma)
    }

    /// Σ_ij exp(−γ‖a_i − b_j‖²), in blocks: ‖a‖² + ‖b‖² − 2a·b with the products from BLAS.
    static func kernelSum(_ a: Matrix, _ b: Matrix, _ gamma: Double) -> Double {
        let d = a.columns, block = 256
        let normsA = (0..<a.rows).map { r in a.row(r).reduce(0) { $0 + $1 * $1 } }
        let normsB = (0..<b.rows).map { r in b.row(r).reduce(0) { $0 + $1 * $1 } }
        var products = [Double](repeating: 0, count: block * b.rows)
        var total = 0.0
        a.values.withUnsafeBufferPointer { av in
            b.values.withUnsafeBufferPointer { bv in
                var first = 0
                while first < a.rows {
                    let rows = min(block, a.rows - first)
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(b.rows), Int32(d), 1,
                                av.baseAddress! + first * d, Int32(d), bv.baseAddress!, Int32(d), 0, &products, Int32(b.rows))
                    for i in 0..<rows {
                        var rowSum = 0.0
                        for j in 0..<b.rows {
                            let squared = max(normsA[first + i] + normsB[j] - 2 * products[i * b.rows + j], 0)
                            rowSum += exp(-gamma * squared)
                        }
                        total += rowSum
                    }
                    first += rows
                }
            }
        }
        return total
    }

    /// The median of all n(n−1)/2 distances (torch.median: the lower middle value).
    static func medianPairwiseDistance(_ m: Matrix) -> Double {
        var distances = [Float]()
        distances.reserveCapacity(m.rows * (m.rows - 1) / 2)
        for i in 0..<m.rows {
            for j in (i + 1)..<m.rows {
                var s = 0.0
                for c in 0..<m.columns { let t = m[i, c] - m[j, c]; s += t * t }
                distances.append(Float(s.squareRoot()))
            }
        }
        let k = (distances.count - 1) / 2
        return Double(select(&distances, k))
    }

    /// The k-th smallest element (quickselect, median-of-three pivots).
    static func select(_ a: inout [Float], _ k: Int) -> Float {
        var (low, high) = (0, a.count - 1)
        while low < high {
            let mid = (low + high) / 2
            let pivot = [a[low], a[mid], a[high]].sorted()[1]
            var (i, j) = (low, high)
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { high = j } else if k >= i { low = i } else { return a[k] }
        }
        return a[k]
    }
}
