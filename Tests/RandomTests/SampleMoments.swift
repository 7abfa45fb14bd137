import Foundation

/// Running mean and central moments (Welford/Terriberry updates), for checking samplers.
struct SampleMoments {
    private(set) var count = 0.0
    private(set) var mean = 0.0
    private var m2 = 0.0
    private var m3 = 0.0
    private var m4 = 0.0

    mutating func add(_ x: Double) {
        let n1 = count
        count += 1
        let delta = x - mean
        let deltaN = delta / count
        let deltaN2 = deltaN * deltaN
        let term1 = delta * deltaN * n1
        mean += deltaN
        m4 += term1 * deltaN2 * (count * count - 3 * count + 3) + 6 * deltaN2 * m2 - 4 * deltaN * m3
        m3 += term1 * deltaN * (count - 2) - 3 * deltaN * m2
        m2 += term1
    }

    var variance: Double { m2 / count }
    var skewness: Double { (m3 / count) / pow(variance, 1.5) }
    var kurtosis: Double { (m4 / count) / (variance * variance) }
}

/// Pearson's χ² of observed counts against expected ones, over bins with an expected
/// count of at least 5 (smaller bins are pooled into their neighbours).
func chiSquare(observed: [Double], expected: [Double]) -> (statistic: Double, degreesOfFreedom: Int) {
    var statistic = 0.0
    var bins = 0
    var pooledObserved = 0.0
    var pooledExpected = 0.0
    for (o, e) in zip(observed, expected) {
        pooledObserved += o
        pooledExpected += e
        if pooledExpected >= 5 {
            statistic += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected)
                / pooledExpected
            bins += 1
            pooledObserved = 0
            pooledExpected = 0
        }
    }
    if pooledExpected > 0 {
        statistic += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected)
            / max(pooledExpected, 1e-300)
        bins += 1
    }
    return (statistic, bins - 1)
}

/// True when χ² is below its mean plus 5 standard deviations (mean k, variance 2k).
func chiSquareIsPlausible(_ result: (statistic: Double, degreesOfFreedom: Int)) -> Bool {
    let k = Double(result.degreesOfFreedom)
    return result.statistic < k + 5 * (2 * k).squareRoot()
}
