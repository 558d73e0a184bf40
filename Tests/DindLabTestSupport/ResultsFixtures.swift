package import DindLabCore
package import Foundation

/// Builders and helpers shared by the Results tests.
package enum ResultsFixtures {
    package static let runID = RunID("20261129T112233Z-ab12")!
    /// A whole number of milliseconds, which survives the ISO 8601 round trip exactly.
    package static let start = Date(timeIntervalSince1970: 1_795_000_000.125)

    package static func record(
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

    /// A fresh directory under the system's temporary directory; `defer { x.remove() }`
    /// right after creating it (a deinit could run before the test is done with it).
    package struct TemporaryDirectory: Sendable {
        package let url: URL

        package init() throws {
            url = FileManager.default.temporaryDirectory
                .appendingPathComponent("dindlab-tests-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }

        package func remove() {
            try? FileManager.default.removeItem(at: url)
        }
    }

    /// A deterministic generator (SplitMix64) for tests.
    package struct SeededGenerator: RandomNumberGenerator {
        private var state: UInt64
        package init(seed: UInt64) { state = seed }
        package mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
