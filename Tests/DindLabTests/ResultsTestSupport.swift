import Foundation
@testable import DindLab

/// Builders shared by the Results tests.
enum ResultsFixtures {
    static let runID = RunID("20261129T112233Z-ab12")!
    /// A whole number of milliseconds, which survives the ISO 8601 round trip exactly.
    static let start = Date(timeIntervalSince1970: 1_795_000_000.125)

    static func record(
        _ sequence: Int, scenario: String = "exec-vs-cmd", cell: String = "c1",
        values: CellValues = ["daemon.start": "exec", "inner.mode": "ti"], engine: String = "host",
        outcome: TrialOutcome = .pass, signature: String? = nil
    ) -> TrialRecord {
        TrialRecord(
            runID: runID, trialID: "t\(sequence)", sequence: sequence, scenario: scenario, cellID: cell,
            cellValues: values, engine: engine, outcome: outcome,
            failingPhase: outcome == .pass ? nil : .inner, signature: signature,
            startedAt: start.addingTimeInterval(Double(sequence)),
            finishedAt: start.addingTimeInterval(Double(sequence) + 1.5))
    }
}
