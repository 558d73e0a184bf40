/// How one cell is judged: what every report shows for it and what it adds to the exit status.
///
/// With an expectation, the cell fails when the expectation is violated: by the observed rate,
/// or with `strict` only when its whole Wilson 95% interval lies on the wrong side of the
/// threshold (so a nightly job does not fail on ten unlucky trials the data cannot tell from
/// noise). Without an expectation, a cell fails when any trial failed or timed out; that is a
/// failure in JUnit and the other reports, but the exit status only answers for expectations.
/// A cell whose trials were all harness or engine errors has no success rate and is not judged.
/// A cell the run skipped (its outer image is not on its engine) has no trial at all: it is
/// shown as skipped, with the reason; with an expectation it cannot be judged either.
package struct CellJudgement: Sendable, Hashable {
    package enum Verdict: Sendable, Hashable {
        /// The expectation holds or, without one, every counted trial passed.
        case passed
        /// The expectation is violated: the run's exit status becomes 1.
        case expectationFailed
        /// No expectation, and some trials failed or timed out.
        case trialsFailed
        /// Every trial was an error, so there is no rate to judge: the exit status becomes 2.
        case notJudged
        /// No trial ran (`CellTally.skipped` says why); with an expectation the exit status
        /// becomes 2, since the expectation cannot be judged.
        case skipped
    }

    package let verdict: Verdict
    /// The judgement in one sentence without a final period, e.g. `success rate 40.0% [16.8%,
    /// 68.7%] over 10 trials does not satisfy >= 0.95`.
    package let explanation: String

    /// - Parameters:
    ///   - cell: The cell's tally (with its expectation checked).
    ///   - strict: Judge expectations by the 95% interval rather than the observed rate.
    package init(_ cell: CellTally, strict: Bool) {
        let counted = cell.passes + cell.fails + cell.timeouts
        if cell.isSkipped, let skipped = cell.skipped {
            verdict = .skipped
            let trials = "\(skipped.trials) trial\(skipped.trials == 1 ? "" : "s")"
            explanation =
                "skipped (\(trials) not run): \(skipped.reason)"
                + (cell.expectation.map { "; its expectation \($0.expectation) cannot be judged" } ?? "")
            return
        }
        guard let rate = cell.successRate, let interval = cell.interval else {
            verdict = .notJudged
            explanation =
                "all \(cell.trials) trial\(cell.trials == 1 ? " was a harness or engine error" : "s were harness or engine errors"), so there is no success rate to judge"
            return
        }
        let rateText =
            "success rate \(SummaryTable.rateText(rate, interval)) over \(counted) trial\(counted == 1 ? "" : "s")"
        if let check = cell.expectation {
            let expectation = check.expectation
            let holds = strict ? check.intervalHolds != false : check.rateHolds != false
            switch (holds, strict) {
            case (false, false):
                verdict = .expectationFailed
                explanation = "\(rateText) does not satisfy \(expectation)"
            case (false, true):
                verdict = .expectationFailed
                explanation =
                    "\(rateText) does not satisfy \(expectation), and neither does any rate in its 95% interval"
            case (true, true) where check.rateHolds == false:
                verdict = .passed
                explanation =
                    "\(rateText) misses \(expectation), but its 95% interval reaches it, so the strict judgement lets it pass"
            case (true, _):
                verdict = .passed
                explanation = "\(rateText) satisfies \(expectation)"
            }
        } else if cell.fails + cell.timeouts > 0 {
            verdict = .trialsFailed
            let failed = cell.fails + cell.timeouts
            explanation =
                "\(failed) of \(counted) trial\(counted == 1 ? "" : "s") failed or timed out (\(rateText); no expectation)"
        } else {
            verdict = .passed
            explanation = "every trial passed (\(rateText); no expectation)"
        }
    }

    /// Whether reports show the cell as failed (an expectation, or trials without one).
    package var isFailure: Bool {
        verdict == .expectationFailed || verdict == .trialsFailed
    }

    /// Whether the cell keeps the run from being judged (exit status 2): every trial was an
    /// error, or it was skipped although it has an expectation.
    package func preventsJudgement(of cell: CellTally) -> Bool {
        verdict == .notJudged || (verdict == .skipped && cell.expectation != nil)
    }
}
