import Foundation

/// `summary.json`: a run's tally, derived from trials.jsonl and rebuilt by `dindlab report`.
public struct RunSummary: Sendable, Hashable, Codable {
    public let runID: RunID
    public let generatedAt: Date
    public let harnessVersion: String
    public let scenarios: [ScenarioTally]
    /// Cells whose observed rate misses the expectation (see `provenByInterval` for the strict reading).
    public let violations: [ExpectationViolation]
    /// Lines of trials.jsonl that were skipped because they are not records.
    public let corruptLines: [CorruptLine]

    /// - Parameters:
    ///   - runID: The run.
    ///   - tally: Its counts.
    ///   - corruptLines: What reading trials.jsonl skipped.
    ///   - generatedAt: When the summary was made.
    public init(runID: RunID, tally: Tally, corruptLines: [CorruptLine] = [], generatedAt: Date = Date()) {
        self.runID = runID
        // Whole milliseconds, the precision results files keep, so a summary reads back equal.
        self.generatedAt = Timestamp.rounded(generatedAt)
        self.harnessVersion = Harness.version
        self.scenarios = tally.scenarios
        self.violations = tally.violations
        self.corruptLines = corruptLines
    }
}

extension ResultStore {
    /// Reads trials.jsonl, tallies it and writes summary.json.
    /// - Parameter expectations: Each scenario's `expect.success-rate`, by scenario name.
    /// - Returns: The summary written.
    @discardableResult
    public func summarize(expectations: [String: SuccessRateExpectation] = [:]) throws(ResultsError) -> RunSummary {
        try summarize(expectations: RunExpectations(byScenario: expectations))
    }

    /// Reads trials.jsonl, tallies it against per-cell expectations and writes summary.json.
    /// - Parameter expectations: The run's expectations (e.g. the manifest's).
    /// - Returns: The summary written.
    @discardableResult
    public func summarize(expectations: RunExpectations) throws(ResultsError) -> RunSummary {
        let log = try readTrials()
        let summary = RunSummary(runID: runID, tally: Tally(records: log.records, expectations: expectations),
                                 corruptLines: log.corruptLines)
        try writeSummary(summary)
        return summary
    }
}
