extension HodgkinHuxley {
    /// Simformer's 8 statistics of a voltage trace sampled at `sampleCount` points over
    /// [0, 200] ms: spike count; mean and standard deviation of V for t < 50 ms; mean,
    /// variance, skewness and kurtosis (not excess) of V for 50 < t < 150 ms; and the
    /// energy. Standard deviations divide by n (numpy's default).
    public static func summaryStatistics(voltage: [Double], energy: Double) -> [Double] {
        guard voltage.count == sampleCount else {
            return [Double](repeating: .nan, count: 8)
        }
        let interval = duration / Double(sampleCount - 1)
        let times = (0..<sampleCount).map { Double($0) * interval }
        let rest = voltage.indices.filter { times[$0] < stimulusOn }.map { voltage[$0] }
        let driven = voltage.indices.filter { times[$0] > stimulusOn && times[$0] < stimulusOff }
            .map { voltage[$0] }

        let restMean = mean(rest)
        let restStd = centralMoment(rest, about: restMean, order: 2).squareRoot()
        let drivenMean = mean(driven)
        let variance = centralMoment(driven, about: drivenMean, order: 2)
        let std = variance.squareRoot()
        let skewness = centralMoment(driven, about: drivenMean, order: 3) / (std * std * std)
        let kurtosis = centralMoment(driven, about: drivenMean, order: 4) / (variance * variance)
        return [Double(spikeCount(voltage)), restMean, restStd, drivenMean,
                variance, skewness, kurtosis, energy]
    }

    /// Simformer's spike counter: mark samples that rise by at least 5 mV over the previous
    /// one (the first is compared with −10 mV), count marks in a 20-sample window
    /// (samples i − 10 … i + 9, numpy's `convolve(mode='same')`), call a sample "spiking"
    /// when the window holds more than one mark, and count the ends of spiking runs.
    public static func spikeCount(_ voltage: [Double]) -> Int {
        let count = voltage.count
        guard count > 0 else { return 0 }
        // Prefix sums of the rise marks make each window sum O(1).
        var marks = [Int](repeating: 0, count: count + 1)
        for i in 0..<count {
            let previous = i == 0 ? -10 : voltage[i - 1]
            // `where(diff < 5, 0, 1)`: a NaN difference counts as a rise.
            let rise = (voltage[i] - previous < 5) ? 0 : 1
            marks[i + 1] = marks[i] + rise
        }
        var spikes = 0
        var wasSpiking = false
        for i in 0..<count {
            let window = marks[min(i + 10, count)] - marks[max(i - 10, 0)]
            let spiking = window > 1
            if wasSpiking && !spiking { spikes += 1 }
            wasSpiking = spiking
        }
        return spikes
    }
}

private func mean(_ values: [Double]) -> Double {
    values.reduce(0, +) / Double(values.count)
}

private func centralMoment(_ values: [Double], about center: Double, order: Int) -> Double {
    var sum = 0.0
    for value in values {
        var power = 1.0
        for _ in 0..<order { power *= value - center }
        sum += power
    }
    return sum / Double(values.count)
}
