/// One cell in two conditions (two runs, two engines, two values of a matrix key): both
/// success rates with their Wilson intervals, the difference, Fisher's exact test, and the
/// signatures seen in only one of them.
package struct CellComparison: Sendable, Hashable {
    /// One side of the comparison.
    package struct Side: Sendable, Hashable {
        /// What this side is: a run's name, an engine, `outer.image=dindlab/outer:trixie`.
        package var label: String
        package var tally: CellTally

        package init(label: String, tally: CellTally) {
            self.label = label
            self.tally = tally
        }

        /// passes + fails + timeouts: the trials the success rate counts.
        package var counted: Int { tally.passes + tally.fails + tally.timeouts }
    }

    package let scenario: String
    /// What the two sides have in common: the cell id for two runs, the other keys' values for `--by`.
    package let group: String
    package let baseline: Side
    package let other: Side
    /// Two-sided Fisher exact p-value of passes vs fails-or-timeouts; nil when a side has no counted trial.
    package let pValue: Double?
    /// The p-value after Holm's adjustment over every comparison of the report.
    package internal(set) var adjustedPValue: Double?
    /// Failure signatures (fail and timeout) seen on the baseline side only, most frequent first.
    package let signaturesOnlyInBaseline: [SignatureCount]
    /// Failure signatures seen on the other side only.
    package let signaturesOnlyInOther: [SignatureCount]

    /// - Parameters:
    ///   - scenario: The scenario both cells belong to.
    ///   - group: What the two cells share.
    ///   - baseline: The side the other is compared with.
    ///   - other: The other side.
    package init(scenario: String, group: String, baseline: Side, other: Side) {
        self.scenario = scenario
        self.group = group
        self.baseline = baseline
        self.other = other
        pValue =
            baseline.counted > 0 && other.counted > 0
            ? FisherExactTest(comparing: baseline.tally, with: other.tally).twoSidedPValue : nil
        adjustedPValue = pValue
        func failures(_ side: Side) -> [SignatureCount] {
            side.tally.signatures.filter { $0.outcome != .error && $0.outcome != .pass }
        }
        let baselineSignatures = Set(failures(baseline).map(\.signature))
        let otherSignatures = Set(failures(other).map(\.signature))
        signaturesOnlyInBaseline = failures(baseline).filter { !otherSignatures.contains($0.signature) }
        signaturesOnlyInOther = failures(other).filter { !baselineSignatures.contains($0.signature) }
    }

    /// The other side's success rate minus the baseline's; nil when either has none.
    package var difference: Double? {
        guard let a = baseline.tally.successRate, let b = other.tally.successRate else { return nil }
        return b - a
    }

    /// Whether the (adjusted) p-value is below `level`.
    package func isSignificant(at level: Double = 0.05) -> Bool {
        (adjustedPValue ?? 1) < level
    }
}

/// A cell of one side that has no counterpart on the other.
package struct UnmatchedCell: Sendable, Hashable {
    package var scenario: String
    package var cellID: String
    package var engine: String
    /// Which side it is on.
    package var side: String
    package var trials: Int
    package var successRate: Double?
}
