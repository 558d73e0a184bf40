import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// The lines dindlab adds so that a run or a comparison cannot mislead quietly: --jobs above the
/// engine host's CPUs, and two runs of scenario files that differ.
@Suite("Notices: --jobs above the CPUs, differing scenario files")
struct RunNoticesTests {
    @Test(
        "--jobs above the engine host's CPU count gets one line saying what it does to timings",
        arguments: [
            (1, 2, false), (2, 2, false), (3, 2, true), (100, 2, true), (4, nil, false), (8, 16, false),
        ] as [(Int, Int?, Bool)])
    func jobsAboveCPUs(jobs: Int, cpus: Int?, noted: Bool) {
        let notice = Runner.concurrencyNotice(jobs: jobs, engine: "default", cpus: cpus)
        #expect((notice != nil) == noted)
        if let notice, let cpus {
            // The executable words it (FrontendTests checks the line).
            #expect(notice == .oversubscribed(jobs: jobs, engine: "default", cpus: cpus))
        }
    }

    static func run(_ files: [(String, String)], label: String) -> RunRecords {
        let manifest = RunManifest(
            runID: RunID(label)!, startedAt: Date(), commandLine: ["dindlab", "run"],
            scenarioFiles: files.map { RunManifest.ScenarioFile(path: $0.0, sha256: $0.1) })
        return RunRecords(directory: URL(fileURLWithPath: "/tmp/\(label)"), manifest: manifest, records: [])
    }

    @Test("compare warns when the two runs' scenario files differ by sha256, and is quiet when they are the same")
    func scenarioFiles() {
        let a64 = String(repeating: "a", count: 64)
        let b64 = String(repeating: "b", count: 64)
        let c64 = String(repeating: "c", count: 64)
        let same = ScenarioFileCheck.differences(
            Self.run([("s.yaml", a64)], label: "run-a"), Self.run([("./s.yaml", a64)], label: "run-b"))
        #expect(same.isEmpty)
        let edited = ScenarioFileCheck.differences(
            Self.run([("s.yaml", a64)], label: "run-a"), Self.run([("s.yaml", b64)], label: "run-b"))
        #expect(
            edited == [
                "the scenario file s.yaml differs between the runs (sha256 aaaaaaaaaaaa… in run-a, bbbbbbbbbbbb… in run-b): cells of the same name may not be the same experiment"
            ])
        let other = ScenarioFileCheck.differences(
            Self.run([("s.yaml", a64)], label: "run-a"), Self.run([("s.yaml", a64), ("t.yaml", c64)], label: "run-b"))
        #expect(other == ["the scenario file t.yaml (sha256 cccccccccccc…) of run-b is not among those of run-a"])
    }

    @Test(
        "the fail rate after a cell's first failure is shown only for scenarios whose trials share state (isolation: cell, or a fault)",
        arguments: [(nil, true), ([], false), (["exec-vs-cmd"], true), (["other"], false)] as [([String]?, Bool)])
    func followingTrialsColumn(scenarios: [String]?, shown: Bool) {
        let records = (0..<4).map { index in
            ResultsFixtures.record(index, outcome: index == 1 ? .fail : .pass, signature: index == 1 ? "inner: x" : nil)
        }
        let tally = Tally(records: records).keepingFollowingTrials(for: scenarios)
        #expect((tally.scenarios[0].cells[0].afterFirstFailure != nil) == shown)
        let table = SummaryTable.render(RunSummary(runID: ResultsFixtures.runID, tally: tally))
        #expect(table.contains("fail rate after 1st fail") == shown, "\(table)")
    }

    @Test(
        "the manifest names the scenarios whose trials share state",
        arguments: [
            ("isolation: cell\n", true), ("faults: {kill-daemon-at-trial: 2}\n", true), ("", false),
            ("matrix:\n  faults.kill-daemon-at-trial: [0, 2]\n", true),
        ])
    func cellStateScenarios(extra: String, listed: Bool) throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (plan, files) = try ReportFixtures.plan(
            ["version: 1\nname: shared\nrepeat: 2\nouter: {image: dindlab/outer:bookworm}\n" + extra], in: root.url)
        let manifest = RunManifest(
            runID: ResultsFixtures.runID, startedAt: Date(), commandLine: [], plan: plan,
            scenarioFiles: files.map { RunManifest.ScenarioFile(path: $0.path, sha256: "") }, engines: [])
        #expect(manifest.cellStateScenarios == (listed ? ["shared"] : []))
    }
}
