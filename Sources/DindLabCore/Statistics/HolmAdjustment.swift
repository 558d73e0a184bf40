/// Holm's step-down adjustment of p-values for multiple comparisons.
///
/// `compare` tests every cell at once; with twenty cells one of them would show p < 0.05
/// by chance alone about two times in three. Holm's method keeps the chance of any false
/// alarm among all the cells at the chosen level, and is never less powerful than
/// Bonferroni's. The values agree with R's `p.adjust(p, method = "holm")`.
package enum HolmAdjustment {
    /// The adjusted p-values, in the order of `pValues`.
    ///
    /// Sorted ascending, the i-th smallest of m values (from 0) is multiplied by m - i, the
    /// running maximum is taken so the order is kept, and the result is capped at 1.
    /// - Parameter pValues: Raw p-values in [0, 1].
    /// - Returns: One adjusted value per input.
    package static func adjust(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var adjusted = Array(repeating: 0.0, count: m)
        var runningMaximum = 0.0
        for (rank, index) in order.enumerated() {
            runningMaximum = max(runningMaximum, min(1, Double(m - rank) * pValues[index]))
            adjusted[index] = runningMaximum
        }
        return adjusted
    }
}
