extension RandomStream {
    /// A uniform integer in 0..<bound (Lemire's nearly divisionless method). A bound that is
    /// not positive gives 0.
    @inline(__always)
    public mutating func index(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let n = UInt64(bound)
        var product = next().multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n
            while product.low < threshold {
                product = next().multipliedFullWidth(by: n)
            }
        }
        return Int(product.high)
    }

    /// Shuffles `array` in place (Fisher–Yates). Written out rather than taken from the
    /// standard library so that a seed gives the same order on every Swift version.
    public mutating func shuffle<T>(_ array: inout [T]) {
        var i = array.count - 1
        while i > 0 {
            array.swapAt(i, index(below: i + 1))
            i -= 1
        }
    }

    /// A random permutation of 0..<count.
    public mutating func permutation(_ count: Int) -> [Int] {
        var indices = Array(0..<max(count, 0))
        shuffle(&indices)
        return indices
    }
}
