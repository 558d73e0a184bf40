import DindLabCore
import Foundation

/// A trial record shaped like a nightly matrix's: phase durations and one inner run; a failed
/// trial fails in its inner phase with a signature, first and last error and an artifacts path.
func syntheticRecord(
    runID: RunID, trialID: String, sequence: Int, scenario: String, cellID: String, values: CellValues,
    began: Date, daemonSeconds: Double = 0.24, failedWith signature: String?
) -> TrialRecord {
    let failed = signature != nil
    var record = TrialRecord(
        runID: runID, trialID: trialID, sequence: sequence, scenario: scenario, cellID: cellID, cellValues: values,
        engine: "default", outcome: failed ? .fail : .pass, startedAt: began, finishedAt: began.addingTimeInterval(1.4),
        phaseDurations: [.outer: 0.29, .daemon: daemonSeconds, .prepare: 0.2, .inner: 0.45, .cleanup: 0.2],
        innerRuns: [InnerRunResult(index: 1, exitCode: failed ? 1 : 0, outputMatched: !failed, durationSeconds: 0.45)])
    if let signature {
        record.failingPhase = .inner
        record.signature = signature
        record.firstError = signature
        record.lastError = "inner run 1 exited with status 1"
        record.errorLineCount = 3
        record.artifactsPath = "artifacts/\(trialID)"
    }
    return record
}
