import Foundation

/// A confidence interval for a proportion (a success rate), with both bounds in [0, 1].
package struct ProportionInterval: Sendable, Hashable, Codable {
    /// The lower bound, in [0, 1].
    package let lower: Double
    /// The upper bound, in [lower, 1].
    package let upper: Double

    /// Creates an interval from its bounds.
    /// - Parameters:
    ///   - lower: The lower bound; must be in [0, 1].
    ///   - upper: The upper bound; must be in [lower, 1].
    package init(lower: Double, upper: Double) {
        precondition(
            0 <= lower && lower <= upper && upper <= 1,
            "A proportion interval needs 0 <= lower <= upper <= 1, got [\(lower), \(upper)].")
        self.lower = lower
        self.upper = upper
    }

    /// Whether `rate` lies inside the interval, bounds included.
    package func contains(_ rate: Double) -> Bool {
        lower <= rate && rate <= upper
    }

    /// The Wilson score interval for `successes` out of `trials` (without continuity correction).
    ///
    /// Wilson's interval is used rather than the normal approximation because
    /// dindlab's cells are small (ten or twenty trials) and their rates sit near
    /// 0 or 1, where the normal interval collapses to a point or leaves [0, 1].
    /// The values agree with R's `prop.test(correct = FALSE)`, statsmodels'
    /// `proportion_confint(method="wilson")` and scipy's
    /// `binomtest(k, n).proportion_ci(method="wilson")`.
    ///
    /// - Parameters:
    ///   - successes: The number of successes; must be in 0...trials.
    ///   - trials: The number of trials.
    ///   - z: The standard normal quantile for the confidence level; the default gives 95 %.
    /// - Returns: The interval, or nil when `trials` is 0 (no data, no interval).
    package static func wilson(successes: Int, trials: Int, z: Double = z95) -> ProportionInterval? {
        precondition(
            trials >= 0 && (0...max(trials, 0)).contains(successes),
            "Wilson interval needs 0 <= successes <= trials, got \(successes) of \(trials).")
        guard trials > 0 else { return nil }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let halfWidth = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        // At k = 0 and k = n the exact bound is 0 or 1; floating point would give 1e-17 or 0.999...
        let lower = successes == 0 ? 0 : max(0, centre - halfWidth)
        let upper = successes == trials ? 1 : min(1, centre + halfWidth)
        return ProportionInterval(lower: lower, upper: upper)
    }

    /// The 0.975 quantile of the standard normal distribution (two-sided 95 %).
    package static let z95 = 1.959963984540054
}
