package import Foundation
import Synchronization

/// `summary.json`: a run's tally, derived from trials.jsonl and rebuilt by `dindlab report`.
package struct RunSummary: Sendable, Hashable, Codable {
    package let runID: RunID
    package let generatedAt: Date
    package let harnessVersion: String
    package let scenarios: [ScenarioTally]
    /// Cells whose observed rate misses the expectation (see `provenByInterval` for the strict reading).
    package let violations: [ExpectationViolation]
    /// Lines of trials.jsonl that were skipped because they are not records.
    package let corruptLines: [CorruptLine]
    /// Cells no trial of which ran (their outer image is not on their engine); each is in
    /// `scenarios` with its reason (`CellTally.skipped`). nil in summaries written before.
    package let skippedCells: Int?
    /// The planned trials the run skipped, over all cells. nil in summaries written before.
    package let skippedTrials: Int?

    /// - Parameters:
    ///   - runID: The run.
    ///   - tally: Its counts.
    ///   - corruptLines: What reading trials.jsonl skipped.
    ///   - generatedAt: When the summary was made.
    package init(runID: RunID, tally: Tally, corruptLines: [CorruptLine] = [], generatedAt: Date = Date()) {
        self.runID = runID
        // Whole milliseconds, the precision results files keep, so a summary reads back equal.
        self.generatedAt = Timestamp.rounded(generatedAt)
        self.harnessVersion = Harness.version
        self.scenarios = tally.scenarios
        self.violations = tally.violations
        self.corruptLines = corruptLines
        let cells = tally.scenarios.flatMap(\.cells)
        self.skippedCells = cells.count(where: \.isSkipped)
        self.skippedTrials = cells.reduce(0) { $0 + ($1.skipped?.trials ?? 0) }
    }
}

extension ResultStore {
    /// Reads trials.jsonl, tallies it and writes summary.json.
    /// - Parameter expectations: Each scenario's `expect.success-rate`, by scenario name.
    /// - Returns: The summary written.
    @discardableResult
    package func summarize(expectations: [String: SuccessRateExpectation] = [:]) throws(ResultsError) -> RunSummary {
        try summarize(expectations: RunExpectations(byScenario: expectations))
    }

    /// Reads trials.jsonl, tallies it against per-cell expectations and writes summary.json.
    /// - Parameter expectations: The run's expectations (e.g. the manifest's).
    /// - Returns: The summary written.
    @discardableResult
    package func summarize(expectations: RunExpectations) throws(ResultsError) -> RunSummary {
        let summary = try tallyTrials(expectations: expectations)
        try writeSummary(summary)
        return summary
    }

    /// Reads trials.jsonl record by record into a summary, without holding the records, so a
    /// run of any length is summarised in the memory of its cells.
    ///
    /// Only the fields a tally needs are decoded (`TalliedTrial`), and a large file is read in
    /// parts on all cores (`accumulateTrials`): JSON decoding is what a summary of 100,000
    /// trials spends its time on. A line counts as corrupt here when those fields cannot be read.
    ///
    /// - Parameter expectations: The run's expectations, per scenario and cell.
    /// - Returns: The summary (not written).
    package func tallyTrials(expectations: RunExpectations = RunExpectations()) throws(ResultsError) -> RunSummary {
        try tallyTrials(expectations: expectations, parts: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// `tallyTrials` in up to `parts` parts of at least `minimumPartBytes` each.
    func tallyTrials(expectations: RunExpectations, parts: Int, minimumPartBytes: Int64 = 2 << 20) throws(ResultsError)
        -> RunSummary
    {
        let (accumulator, corrupt) = try accumulateTrials(
            into: TallyAccumulator.self, parts: parts, minimumPartBytes: minimumPartBytes)
        return RunSummary(runID: runID, tally: accumulator.tally(expectations: expectations), corruptLines: corrupt)
    }

    /// Reads trials.jsonl into an accumulator, decoding only the fields summaries and reports
    /// read (`TalliedTrial`), in up to `parts` parts read at once, merged at the end.
    ///
    /// - Returns: The accumulator, and the lines that are not records (numbered as in the file).
    /// - Throws: `ResultsError.cannotRead` when the file cannot be read.
    func accumulateTrials<Accumulator: TrialAccumulating>(
        into type: Accumulator.Type, parts: Int = ProcessInfo.processInfo.activeProcessorCount,
        minimumPartBytes: Int64 = 2 << 20
    ) throws(ResultsError) -> (Accumulator, [CorruptLine]) {
        let url = trialsURL
        let parts = try ResultFiles.lineRanges(of: url, parts: parts, minimumPartBytes: minimumPartBytes)
        let slots = PartResults<Result<(Accumulator, [CorruptLine], Int), ResultsError>>(count: parts.count)
        DispatchQueue.concurrentPerform(iterations: parts.count) { index in
            var accumulator = Accumulator()
            do throws(ResultsError) {
                let (corrupt, lines) = try Self.decodeLines(of: TalliedTrial.self, in: url, range: parts[index]) {
                    accumulator.add($0)
                }
                slots.set(.success((accumulator, corrupt, lines)), at: index)
            } catch {
                slots.set(.failure(error), at: index)
            }
        }
        var accumulator = Accumulator()
        var corrupt: [CorruptLine] = []
        var linesBefore = 0
        for result in slots.values {
            let (part, partCorrupt, lines) = try result.get()
            accumulator.merge(part)
            corrupt += partCorrupt.map {
                CorruptLine(lineNumber: $0.lineNumber + linesBefore, reason: $0.reason, excerpt: $0.excerpt)
            }
            linesBefore += lines
        }
        return (accumulator, corrupt)
    }
}

/// What the parallel parts of a read produced, each in its own slot (parts of one trials.jsonl,
/// or the run folders of a history).
final class PartResults<Value: Sendable>: Sendable {
    private let slots: Mutex<[Value?]>

    init(count: Int) {
        slots = Mutex(Array(repeating: nil, count: count))
    }

    func set(_ value: Value, at index: Int) {
        slots.withLock { $0[index] = value }
    }

    /// Every slot's value, in order; call once all parts are done.
    var values: [Value] {
        slots.withLock { $0.compactMap { $0 } }
    }
}
