/// The exit status of a run (and of `report` and `merge`, which judge a run again):
///
/// - 0: every expectation holds (cells without one pass whatever their rate);
/// - 1: some cell violates its expectation (judged by the 95% interval with `strict`);
/// - 2: harness or engine errors prevented judgement: some cell has no success rate because
///   every trial of it was an error, or planned trials are missing (a shard that never
///   reported, a run that stopped early), or a cell with an expectation was skipped (its
///   outer image is not on its engine), and no expectation failed.
///
/// A failed expectation wins over missing judgement: it is a finding about the system under
/// test, which is what a nightly job is for.
package struct RunVerdict: Sendable, Hashable {
    package let exitCode: Int32
    /// Why, in sentences without a final period; empty when the exit status is 0.
    package let reasons: [String]

    /// - Parameters:
    ///   - summary: The run's summary.
    ///   - strict: Judge expectations by the 95% interval rather than the observed rate.
    ///   - missingTrials: Planned trials that have no record (0 when all are there or unknown).
    package init(_ summary: RunSummary, strict: Bool = false, missingTrials: Int = 0) {
        var failed = 0
        var unjudged = 0
        var skippedWithExpectation = 0
        var skipped = 0
        var notes: [String] = []
        let cells = summary.scenarios.flatMap(\.cells)
        for cell in cells {
            switch CellJudgement(cell, strict: strict).verdict {
            case .expectationFailed: failed += 1
            case .notJudged: unjudged += 1
            case .skipped:
                skipped += 1
                if cell.expectation != nil { skippedWithExpectation += 1 }
            case .passed, .trialsFailed: break
            }
        }
        var reasons: [String] = []
        if failed > 0 {
            reasons.append(
                "\(failed) cell\(failed == 1 ? "" : "s") failed \(failed == 1 ? "its" : "their") expectation"
                    + (strict ? " (judged by the 95% interval)" : ""))
        }
        if unjudged > 0 {
            reasons.append(
                "\(unjudged) cell\(unjudged == 1 ? " has" : "s have") only harness or engine errors, so no success rate to judge"
            )
        }
        if skippedWithExpectation > 0 {
            reasons.append(
                "\(skippedWithExpectation) cell\(skippedWithExpectation == 1 ? " with an expectation was" : "s with expectations were") skipped (not run), so \(skippedWithExpectation == 1 ? "its expectation" : "their expectations") cannot be judged"
            )
        }
        if skipped > skippedWithExpectation {
            let others = skipped - skippedWithExpectation
            notes.append(
                "\(others) cell\(others == 1 ? "" : "s") without an expectation \(others == 1 ? "was" : "were") skipped (not run)"
            )
        }
        if missingTrials > 0 {
            reasons.append("\(missingTrials) planned trial\(missingTrials == 1 ? " has" : "s have") no record")
        }
        self.reasons = reasons
        exitCode = failed > 0 ? 1 : (unjudged > 0 || missingTrials > 0 || skippedWithExpectation > 0) ? 2 : 0
        if skipped == cells.count, skipped > 0 {
            notes.append("no trial ran")
        }
        self.notes = notes
    }

    /// What the reader should know that does not change the exit status: cells without an
    /// expectation that were skipped, and that no trial ran at all.
    package let notes: [String]

    /// `exit status 1: 2 cells failed their expectation`, or `exit status 0: every expectation holds`.
    /// With skipped cells that do not change the status, it says so: `exit status 0: no
    /// expectation failed; 4 cells without an expectation were skipped (not run); no trial ran`.
    package var description: String {
        let main = reasons.isEmpty ? (notes.isEmpty ? ["every expectation holds"] : ["no expectation failed"]) : reasons
        return "exit status \(exitCode): " + (main + notes).joined(separator: "; ")
    }
}
