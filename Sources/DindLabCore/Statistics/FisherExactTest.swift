import Foundation

/// Fisher's exact test on a 2x2 contingency table, used to ask whether two cells
/// (say, a good host and a bad host) really differ in their pass/fail counts.
///
///                 pass   fail
///     first        a      b
///     second       c      d
package struct FisherExactTest: Sendable, Hashable {
    package let a: Int
    package let b: Int
    package let c: Int
    package let d: Int

    /// Creates the test for a table of non-negative counts.
    /// - Parameters:
    ///   - a: Row 1, column 1 (e.g. passes of the first cell).
    ///   - b: Row 1, column 2 (e.g. fails of the first cell).
    ///   - c: Row 2, column 1 (e.g. passes of the second cell).
    ///   - d: Row 2, column 2 (e.g. fails of the second cell).
    package init(a: Int, b: Int, c: Int, d: Int) {
        precondition(
            a >= 0 && b >= 0 && c >= 0 && d >= 0,
            "A contingency table holds counts, got [[\(a), \(b)], [\(c), \(d)]].")
        self.a = a
        self.b = b
        self.c = c
        self.d = d
    }

    /// Relative tolerance under which two tables count as equally likely, as in R and scipy:
    /// without it, rounding makes ties (symmetric tables) drop out of the sum at random.
    package static let tieTolerance = 1e-7

    /// The two-sided p-value: the probability, given the margins, of a table as likely
    /// as or less likely than the observed one.
    ///
    /// Probabilities come from log-factorials so large tables neither overflow nor
    /// lose all precision. The value matches R's `fisher.test` and
    /// `scipy.stats.fisher_exact`.
    package var twoSidedPValue: Double {
        let row1 = a + b
        let row2 = c + d
        let column1 = a + c
        let total = row1 + row2
        let lowest = max(0, column1 - row2)
        let highest = min(row1, column1)
        // One possible table only (an empty row or column): nothing could be more extreme.
        guard lowest < highest else { return 1 }

        let logFactorials = LogFactorials(upTo: total)
        func logProbability(_ x: Int) -> Double {
            logFactorials.choose(row1, x) + logFactorials.choose(row2, column1 - x)
                - logFactorials.choose(total, column1)
        }
        let observed = logProbability(a)
        let threshold = observed + log1p(Self.tieTolerance)
        var p = 0.0
        for x in lowest...highest {
            let logP = logProbability(x)
            if logP <= threshold { p += exp(logP) }
        }
        return min(1, p)
    }
}

/// ln(n!) for 0...n, tabulated once per test.
private struct LogFactorials {
    private let table: [Double]

    init(upTo n: Int) {
        var table = [0.0]
        table.reserveCapacity(n + 1)
        var sum = 0.0
        for i in stride(from: 1, through: n, by: 1) {
            sum += log(Double(i))
            table.append(sum)
        }
        self.table = table
    }

    /// ln(n choose k).
    func choose(_ n: Int, _ k: Int) -> Double {
        table[n] - table[k] - table[n - k]
    }
}
