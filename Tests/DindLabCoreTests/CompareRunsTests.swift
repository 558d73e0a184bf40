import Foundation
import Testing

@testable import DindLabCore

/// Records made up for comparisons: whole cells with given pass and fail counts.
enum CompareFixtures {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    /// `passes` passing and `fails` failing trials of one cell, trial ids as the planner
    /// makes them (`<scenario>-c<index>-t<n>`).
    static func cell(
        _ scenario: String = "flaky", index: Int = 0, id: String = "default", values: CellValues = [:],
        engine: String = "default",
        passes: Int, fails: Int, signature: String = "inner: exit status 1", timeouts: Int = 0, errors: Int = 0,
        firstSequence: Int = 0
    ) -> [TrialRecord] {
        let outcomes =
            Array(repeating: TrialOutcome.pass, count: passes) + Array(repeating: .fail, count: fails)
            + Array(repeating: .timeout, count: timeouts) + Array(repeating: .error, count: errors)
        return outcomes.enumerated().map { n, outcome in
            TrialRecord(
                runID: RunID("20261129T112233Z-ab12")!, trialID: "\(scenario)-c\(index)-t\(n)",
                sequence: firstSequence + n,
                scenario: scenario, cellID: id, cellValues: values, engine: engine, outcome: outcome,
                failingPhase: outcome == .pass ? nil : .inner,
                signature: outcome == .pass
                    ? nil
                    : (outcome == .timeout ? "inner: timed out" : outcome == .error ? "outer: engine gone" : signature),
                startedAt: start, finishedAt: start.addingTimeInterval(1.5))
        }
    }

    static func run(_ name: String, _ records: [TrialRecord], engines: [String]? = nil) -> RunRecords {
        let manifest = engines.map { names in
            RunManifest(
                runID: RunID("20261129T112233Z-ab12")!, startedAt: start, commandLine: ["dindlab", "run"],
                engines: names.map { RunManifest.Engine(name: $0, fingerprint: EngineFingerprint()) })
        }
        return RunRecords(directory: URL(fileURLWithPath: "/results/\(name)"), manifest: manifest, records: records)
    }
}

@Suite("Compare: two runs")
struct CompareRunsTests {
    typealias F = CompareFixtures

    /// Cell "changed" goes from 6 fails in 60 to 36 in 60; cell "steady" from 6 to 7.
    var runs: (RunRecords, RunRecords) {
        let a = F.run(
            "A",
            F.cell(index: 0, id: "changed", passes: 54, fails: 6)
                + F.cell(index: 1, id: "steady", passes: 54, fails: 6, firstSequence: 100))
        let b = F.run(
            "B",
            F.cell(
                index: 0, id: "changed", passes: 24, fails: 36, signature: "inner: umount shm: device or resource busy")
                + F.cell(index: 1, id: "steady", passes: 53, fails: 7, firstSequence: 100))
        return (a, b)
    }

    @Test("a cell whose failure rate rose from 0.1 to 0.6 differs significantly; an unchanged cell does not")
    func rateChange() throws {
        let comparison = Comparison(runs.0, runs.1)
        let changed = try #require(comparison.rows.first { $0.group == "changed" })
        let steady = try #require(comparison.rows.first { $0.group == "steady" })
        // Reference values: scipy.stats.fisher_exact([[54, 6], [24, 36]]) and [[54, 6], [53, 7]].
        #expect(abs(changed.pValue! - 9.227569012788755e-09) < 1e-15)
        #expect(steady.pValue == 1.0)
        #expect(abs(changed.difference! - (-0.5)) < 1e-12)
        #expect(changed.baseline.counted == 60 && changed.other.counted == 60)
        // Holm over two tests: the smaller p doubled, the larger kept (capped at 1).
        #expect(abs(changed.adjustedPValue! - 2 * 9.227569012788755e-09) < 1e-15)
        #expect(changed.isSignificant() && !steady.isSignificant())
        #expect(comparison.significantRows.map(\.group) == ["changed"])
        #expect(comparison.unmatched.isEmpty)
    }

    @Test("signatures seen in one run only are listed per cell")
    func signatures() throws {
        let changed = try #require(Comparison(runs.0, runs.1).rows.first { $0.group == "changed" })
        #expect(changed.signaturesOnlyInBaseline.map(\.signature) == ["inner: exit status 1"])
        #expect(changed.signaturesOnlyInOther.map(\.signature) == ["inner: umount shm: device or resource busy"])
        #expect(changed.signaturesOnlyInOther.first?.count == 36)
        let steady = try #require(Comparison(runs.0, runs.1).rows.first { $0.group == "steady" })
        #expect(steady.signaturesOnlyInBaseline.isEmpty && steady.signaturesOnlyInOther.isEmpty)
    }

    @Test("cells present in one run only are reported with their side")
    func unmatched() {
        let a = F.run("A", F.cell(id: "both", passes: 3, fails: 0) + F.cell(index: 1, id: "old", passes: 2, fails: 1))
        let b = F.run("B", F.cell(id: "both", passes: 3, fails: 0) + F.cell(index: 2, id: "new", passes: 1, fails: 0))
        let comparison = Comparison(a, b)
        #expect(comparison.rows.map(\.group) == ["both"])
        #expect(comparison.unmatched.map { "\($0.cellID)@\($0.side)" } == ["old@A", "new@B"])
        #expect(ComparisonReport.terminal(comparison).contains("only in A"))
    }

    @Test("runs of one engine each pair up across engine names; runs of several engines pair by engine")
    func engines() {
        let old = F.run("A", F.cell(engine: "old-host", passes: 5, fails: 5))
        let new = F.run("B", F.cell(engine: "new-host", passes: 10, fails: 0))
        #expect(Comparison(old, new).rows.count == 1)

        let twoA = F.run(
            "A", F.cell(engine: "x", passes: 5, fails: 0) + F.cell(engine: "y", passes: 5, fails: 0, firstSequence: 10),
            engines: ["x", "y"])
        let twoB = F.run(
            "B", F.cell(engine: "x", passes: 5, fails: 0) + F.cell(engine: "z", passes: 5, fails: 0, firstSequence: 10),
            engines: ["x", "z"])
        let comparison = Comparison(twoA, twoB)
        #expect(comparison.rows.map(\.group) == ["default [x]"])
        #expect(Set(comparison.unmatched.map(\.engine)) == ["y", "z"])
    }

    @Test("a side without counted trials has no p-value and takes no part in the adjustment")
    func errorsOnly() throws {
        let a = F.run(
            "A",
            F.cell(id: "broken", passes: 0, fails: 0, errors: 3)
                + F.cell(index: 1, id: "ok", passes: 9, fails: 1, firstSequence: 10))
        let b = F.run(
            "B",
            F.cell(id: "broken", passes: 4, fails: 0)
                + F.cell(index: 1, id: "ok", passes: 4, fails: 6, firstSequence: 10))
        let comparison = Comparison(a, b)
        let broken = try #require(comparison.rows.first { $0.group == "broken" })
        #expect(broken.pValue == nil && broken.adjustedPValue == nil && broken.difference == nil)
        let ok = try #require(comparison.rows.first { $0.group == "ok" })
        // One test only: the adjusted p is the p-value (scipy: fisher_exact([[9, 1], [4, 6]])).
        #expect(abs(ok.adjustedPValue! - 0.05727554179566563) < 1e-12)
        // Timeouts count as failures and errors do not count at all.
        let withTimeouts = F.run("C", F.cell(id: "ok", passes: 9, fails: 0, timeouts: 1, errors: 5))
        #expect(Comparison(withTimeouts, b).rows.first?.baseline.counted == 10)
    }

    @Test("the terminal table and the Markdown show both rates, the difference and the p-values")
    func rendering() {
        let comparison = Comparison(runs.0, runs.1)
        let terminal = ComparisonReport.terminal(comparison)
        #expect(terminal.contains("A = A, B = B"))
        #expect(terminal.contains("90.0% [79.9%, 95.3%]"))
        #expect(terminal.contains("40.0% [28.6%, 52.6%]"))
        #expect(terminal.contains("-50.0 pp"))
        #expect(terminal.contains("9.2e-09"))
        #expect(terminal.contains("1 cell(s) differ significantly"))
        let markdown = ComparisonReport.markdown(comparison)
        #expect(markdown.hasPrefix("# Comparison: A vs B"))
        #expect(
            markdown.contains(
                "| changed | 60 | 90.0% [79.9%, 95.3%] | 60 | 40.0% [28.6%, 52.6%] | -50.0 pp | 9.2e-09 | 1.8e-08 | * |"
            ))
        #expect(markdown.contains("## Signatures seen on one side only"))
        #expect(markdown.contains("`changed`: only in B: 36× `inner: umount shm: device or resource busy`"))
    }

    @Test("a run folder is read back from trials.jsonl, with unreadable lines counted")
    func loading() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dindlab-compare-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try ResultStore(creatingIn: root)
        for record in F.cell(passes: 2, fails: 1) { try await store.append(record) }
        let handle = try FileHandle(forWritingTo: store.trialsURL)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("not json\n".utf8))
        try handle.close()
        let run = try await RunRecords.load(store.directory)
        #expect(run.records.count == 3)
        #expect(run.corruptLines.map(\.lineNumber) == [4])
        #expect(run.manifest == nil)
        #expect(run.tally.scenarios.first?.cells.first?.fails == 1)
        #expect(run.label == store.runID.rawValue)
    }
}
