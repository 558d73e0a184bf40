import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

@Suite("Summary table: phase medians")
struct SummaryTablePhaseTests {
    @Test("each cell gets a line of median seconds per phase, in lifecycle order; a phase no trial ran shows a dash")
    func phaseTable() {
        var records = (1...3).map { ResultsFixtures.record($0) }
        for index in records.indices {
            records[index].phaseDurations = [
                .outer: 0.3, .daemon: 0.1 * Double(index + 1), .prepare: 0.2, .inner: 0.45, .cleanup: 0.2,
            ]
        }
        records.append(ResultsFixtures.record(4, cell: "c2"))
        let text = SummaryTable.render(RunSummary(runID: ResultsFixtures.runID, tally: Tally(records: records)))
        let lines = text.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        #expect(lines.contains("median seconds outer setup daemon prepare inner cleanup"))
        #expect(lines.contains("c1 0.30 — 0.20 0.20 0.45 0.20"))
        // A cell whose trials recorded no durations gets no line.
        #expect(!lines.contains { $0.hasPrefix("c2 ") && $0.contains("—") && !$0.contains("%") })
    }

    @Test("no phase table when no trial recorded durations")
    func noPhaseTable() {
        let text = SummaryTable.render(
            RunSummary(runID: ResultsFixtures.runID, tally: Tally(records: [ResultsFixtures.record(1)])))
        #expect(!text.contains("median seconds"))
    }
}
