import Foundation

/// The Dormand–Prince 5(4) explicit Runge–Kutta method with adaptive steps (Dormand &
/// Prince 1980; error control as in Hairer, Nørsett & Wanner, "Solving ODEs I", II.4),
/// for the small non-stiff systems of the SIR and Lotka–Volterra tasks.
///
/// sbibm solves them with Julia's Tsit5 at rtol = atol = 1e−8; any 5th-order adaptive
/// method at that tolerance agrees with it far below the observation noise
/// (shared/docs/tasks.md §9). Outputs are exact steps to each requested time rather than
/// interpolants. States are SIMD4 vectors; unused lanes stay zero because the right-hand
/// side leaves them zero.
struct DormandPrince {
    var relativeTolerance = 1e-8
    var absoluteTolerance = 1e-8
    /// Attempted steps (accepted or rejected) before giving up, like Julia's `maxiters`.
    var maxSteps = 100_000

    typealias State = SIMD4<Double>

    /// The solution at each of `times` (non-decreasing, none before `start`), or nil when
    /// the solve fails: too many steps, a step size that underflows, or a state that stops
    /// being finite. `dimension` is the number of lanes in use, for the error norm.
    func solve(from start: Double, initial: State, dimension: Int, times: [Double],
               _ f: (Double, State) -> State) -> [State]? {
        var t = start
        var y = initial
        var k1 = f(t, y)
        var h = initialStep(t: t, y: y, f0: k1, dimension: dimension, f)
        var outputs: [State] = []
        outputs.reserveCapacity(times.count)
        var steps = 0
        for target in times {
            guard target >= t else { return nil }
            while t < target {
                steps += 1
                guard steps <= maxSteps, h > 1e-14 * max(abs(t), 1) else { return nil }
                // Land exactly on the output time instead of interpolating.
                let landing = t + h >= target
                let step = landing ? target - t : h
                let (yNew, kNew, error) = attempt(t: t, y: y, k1: k1, h: step,
                                                  dimension: dimension, f)
                let accepted = error <= 1
                if accepted {
                    t = landing ? target : t + step
                    y = yNew
                    k1 = kNew
                }
                // Grow by at most 10×, shrink by at most 5×, with safety factor 0.9;
                // a non-finite error (overflow) counts as a large one.
                let factor = error.isFinite ? 0.9 * pow(max(error, 1e-10), -0.2) : 0.2
                let proposed = step * min(10, max(0.2, factor))
                // A step shortened to land on an output time says little about the step
                // the solution allows, so it does not shrink the next one.
                h = accepted && landing ? max(h, proposed) : proposed
            }
            outputs.append(y)
        }
        return outputs
    }

    /// One step of size h from (t, y) with k1 = f(t, y): the 5th-order solution, f at it
    /// (the next step's k1; the method is "first same as last") and the scaled RMS error.
    @inline(__always)
    private func attempt(t: Double, y: State, k1: State, h: Double, dimension: Int,
                         _ f: (Double, State) -> State) -> (State, State, Double) {
        typealias T = DormandPrinceTableau
        let k2 = f(t + T.c2 * h, y + h * (T.a21 * k1))
        let k3 = f(t + T.c3 * h, y + h * (T.a31 * k1 + T.a32 * k2))
        let k4 = f(t + T.c4 * h, y + h * (T.a41 * k1 + T.a42 * k2 + T.a43 * k3))
        var s5: State = T.a51 * k1 + T.a52 * k2
        s5 += T.a53 * k3 + T.a54 * k4
        let k5 = f(t + T.c5 * h, y + h * s5)
        var s6: State = T.a61 * k1 + T.a62 * k2
        s6 += T.a63 * k3 + T.a64 * k4 + T.a65 * k5
        let k6 = f(t + h, y + h * s6)
        var s7: State = T.b1 * k1 + T.b3 * k3
        s7 += T.b4 * k4 + T.b5 * k5 + T.b6 * k6
        let yNew = y + h * s7
        let k7 = f(t + h, yNew)
        // Difference of the 5th- and embedded 4th-order solutions.
        var e: State = T.e1 * k1 + T.e3 * k3
        e += T.e4 * k4 + T.e5 * k5
        e += T.e6 * k6 + T.e7 * k7
        let scale: State = absoluteTolerance + relativeTolerance * pointwiseMax(abs(y), abs(yNew))
        let ratio: State = (h * e) / scale
        let error = ((ratio * ratio).sum() / Double(dimension)).squareRoot()
        return (yNew, k7, error.isNaN ? .infinity : error)
    }

    /// The starting step of Hairer, Nørsett & Wanner (II.4, "Starting step size").
    private func initialStep(t: Double, y: State, f0: State, dimension: Int,
                             _ f: (Double, State) -> State) -> Double {
        let scale = absoluteTolerance + relativeTolerance * abs(y)
        func norm(_ v: State) -> Double {
            let r = v / scale
            return ((r * r).sum() / Double(dimension)).squareRoot()
        }
        let d0 = norm(y)
        let d1 = norm(f0)
        let h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1
        let f1 = f(t + h0, y + h0 * f0)
        let d2 = norm(f1 - f0) / h0
        let h1 = max(d1, d2) <= 1e-15 ? max(1e-6, h0 * 1e-3) : pow(0.01 / max(d1, d2), 0.2)
        let h = min(100 * h0, h1)
        return h.isFinite && h > 0 ? h : 1e-6
    }
}

/// The Dormand–Prince coefficients: nodes c, stages a, 5th-order weights b and error
/// weights e = b − b̂ (b̂ the embedded 4th-order weights); b2 and e2 are zero.
private enum DormandPrinceTableau {
    static let c2: Double = 1.0 / 5
    static let c3: Double = 3.0 / 10
    static let c4: Double = 4.0 / 5
    static let c5: Double = 8.0 / 9
    static let a21: Double = 1.0 / 5
    static let a31: Double = 3.0 / 40
    static let a32: Double = 9.0 / 40
    static let a41: Double = 44.0 / 45
    static let a42: Double = -56.0 / 15
    static let a43: Double = 32.0 / 9
    static let a51: Double = 19372.0 / 6561
    static let a52: Double = -25360.0 / 2187
    static let a53: Double = 64448.0 / 6561
    static let a54: Double = -212.0 / 729
    static let a61: Double = 9017.0 / 3168
    static let a62: Double = -355.0 / 33
    static let a63: Double = 46732.0 / 5247
    static let a64: Double = 49.0 / 176
    static let a65: Double = -5103.0 / 18656
    static let b1: Double = 35.0 / 384
    static let b3: Double = 500.0 / 1113
    static let b4: Double = 125.0 / 192
    static let b5: Double = -2187.0 / 6784
    static let b6: Double = 11.0 / 84
    static let e1: Double = 71.0 / 57600
    static let e3: Double = -71.0 / 16695
    static let e4: Double = 71.0 / 1920
    static let e5: Double = -17253.0 / 339200
    static let e6: Double = 22.0 / 525
    static let e7: Double = -1.0 / 40
}

@inline(__always)
private func abs(_ v: SIMD4<Double>) -> SIMD4<Double> {
    v.replacing(with: -v, where: v .< 0)
}
