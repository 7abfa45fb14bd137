import IR
import Random

extension RandomStream {
    /// Fills a noise input with draws of the distribution its name declares. Normal noise is
    /// drawn exactly as it always was, so graphs with Gaussian families only train and sample
    /// the same numbers from the same seed.
    mutating func fill(_ buffer: UnsafeMutableBufferPointer<Float>, _ distribution: NoiseDistribution) {
        switch distribution {
        case .normal: fillNormal(buffer)
        case .uniform: fillUniform(buffer)
        }
    }
}

extension Program {
    /// The noise inputs the runtime fills before each run, in program order, with the
    /// distribution each is drawn from.
    var noiseInputs: [(name: String, distribution: NoiseDistribution)] {
        inputs.compactMap { input in NoiseDistribution(noiseInput: input.name).map { (input.name, $0) } }
    }
}
