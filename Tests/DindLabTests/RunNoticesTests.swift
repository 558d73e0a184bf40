import Foundation
import Testing
@testable import DindLab

/// The lines dindlab adds so that a run or a comparison cannot mislead quietly: --jobs above the
/// engine host's CPUs, and two runs of scenario files that differ.
@Suite("Notices: --jobs above the CPUs, differing scenario files")
struct RunNoticesTests {
    @Test("--jobs above the engine host's CPU count gets one line saying what it does to timings", arguments: [
        (1, 2, false), (2, 2, false), (3, 2, true), (100, 2, true), (4, nil, false), (8, 16, false),
    ] as [(Int, Int?, Bool)])
    func jobsAboveCPUs(jobs: Int, cpus: Int?, noted: Bool) {
        let note = Runner.concurrencyNote(jobs: jobs, engine: "default", cpus: cpus)
        #expect((note != nil) == noted)
        if let note, let cpus {
            #expect(note.hasPrefix("--jobs \(jobs) runs up to \(jobs) trials at once on the engine default, whose host has \(cpus) CPUs"))
            #expect(note.contains("phase timings stretch"))
            #expect(!note.contains("\n"))
        }
    }

    static func run(_ files: [(String, String)], label: String) -> RunRecords {
        let manifest = RunManifest(runID: RunID(label)!, startedAt: Date(), commandLine: ["dindlab", "run"],
                                   scenarioFiles: files.map { RunManifest.ScenarioFile(path: $0.0, sha256: $0.1) })
        return RunRecords(directory: URL(fileURLWithPath: "/tmp/\(label)"), manifest: manifest, records: [])
    }

    @Test("compare warns when the two runs' scenario files differ by sha256, and is quiet when they are the same")
    func scenarioFiles() {
        let a64 = String(repeating: "a", count: 64), b64 = String(repeating: "b", count: 64), c64 = String(repeating: "c", count: 64)
        let same = ScenarioFileCheck.differences(Self.run([("s.yaml", a64)], label: "run-a"), Self.run([("./s.yaml", a64)], label: "run-b"))
        #expect(same.isEmpty)
        let edited = ScenarioFileCheck.differences(Self.run([("s.yaml", a64)], label: "run-a"), Self.run([("s.yaml", b64)], label: "run-b"))
        #expect(edited == ["the scenario file s.yaml differs between the runs (sha256 aaaaaaaaaaaa… in run-a, bbbbbbbbbbbb… in run-b): cells of the same name may not be the same experiment"])
        let other = ScenarioFileCheck.differences(Self.run([("s.yaml", a64)], label: "run-a"), Self.run([("s.yaml", a64), ("t.yaml", c64)], label: "run-b"))
        #expect(other == ["the scenario file t.yaml (sha256 cccccccccccc…) of run-b is not among those of run-a"])
    }
}
