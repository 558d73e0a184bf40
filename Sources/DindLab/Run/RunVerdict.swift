/// The exit status of a run (and of `report` and `merge`, which judge a run again):
///
/// - 0: every expectation holds (cells without one pass whatever their rate);
/// - 1: some cell violates its expectation (judged by the 95% interval with `strict`);
/// - 2: harness or engine errors prevented judgement: some cell has no success rate because
///   every trial of it was an error, or planned trials are missing (a shard that never
///   reported, a run that stopped early), and no expectation failed.
///
/// A failed expectation wins over missing judgement: it is a finding about the system under
/// test, which is what a nightly job is for.
public struct RunVerdict: Sendable, Hashable {
    public let exitCode: Int32
    /// Why, in sentences without a final period; empty when the exit status is 0.
    public let reasons: [String]

    /// - Parameters:
    ///   - summary: The run's summary.
    ///   - strict: Judge expectations by the 95% interval rather than the observed rate.
    ///   - missingTrials: Planned trials that have no record (0 when all are there or unknown).
    public init(_ summary: RunSummary, strict: Bool = false, missingTrials: Int = 0) {
        var failed = 0
        var unjudged = 0
        for cell in summary.scenarios.flatMap(\.cells) {
            switch CellJudgement(cell, strict: strict).verdict {
            case .expectationFailed: failed += 1
            case .notJudged: unjudged += 1
            case .passed, .trialsFailed: break
            }
        }
        var reasons: [String] = []
        if failed > 0 {
            reasons.append("\(failed) cell\(failed == 1 ? "" : "s") failed \(failed == 1 ? "its" : "their") expectation" + (strict ? " (judged by the 95% interval)" : ""))
        }
        if unjudged > 0 {
            reasons.append("\(unjudged) cell\(unjudged == 1 ? " has" : "s have") only harness or engine errors, so no success rate to judge")
        }
        if missingTrials > 0 {
            reasons.append("\(missingTrials) planned trial\(missingTrials == 1 ? " has" : "s have") no record")
        }
        self.reasons = reasons
        exitCode = failed > 0 ? 1 : (unjudged > 0 || missingTrials > 0) ? 2 : 0
    }

    /// `exit status 1: 2 cells failed their expectation`, or `exit status 0: every expectation holds`.
    public var description: String {
        "exit status \(exitCode): " + (reasons.isEmpty ? "every expectation holds" : reasons.joined(separator: "; "))
    }
}
