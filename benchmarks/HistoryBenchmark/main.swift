// dindlab-history-bench: writes a synthetic year of nightly run folders for the benchmark's
// history row (scripts/bench), which then times `dindlab history` over them.
//
//     dindlab-history-bench generate DIR NIGHTS CELLS TRIALS
//
// Writes NIGHTS run folders into DIR, one a day at 03:17 UTC, each a run of one scenario with
// CELLS cells (a 3-key matrix) of TRIALS trials: records shaped like real ones (phase
// durations, an inner run, failures with signatures and artifacts paths). Most cells pass;
// one in ten fails about 30% of its trials every night (flaky), one regresses in the last
// night, one appears only in the last 30 nights, and the newest night has a new signature.
import DindLab
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("dindlab-history-bench: \(message)\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 5, arguments[0] == "generate", let nights = Int(arguments[2]), let cells = Int(arguments[3]),
      let trials = Int(arguments[4]), nights > 0, cells > 0, trials > 0 else {
    fail("usage: dindlab-history-bench generate DIR NIGHTS CELLS TRIALS")
}
let root = URL(fileURLWithPath: arguments[1])
let first = Date(timeIntervalSince1970: 1_767_237_420)  // 2026-01-01 03:17 UTC
let encoder = ResultsJSON.encoder()
let scenarioDigest = String(repeating: "ab", count: 32)
let images = ["dindlab/outer:bullseye", "dindlab/outer:bookworm", "dindlab/outer:trixie"]
var random = SystemRandomNumberGenerator()

for night in 0..<nights {
    let started = first.addingTimeInterval(Double(night) * 86_400)
    let runID = RunID("nightly-\(String(format: "%04d", night))")!
    let store = try ResultStore(creatingIn: root, runID: runID)
    let last = night == nights - 1
    var manifest = RunManifest(runID: runID, startedAt: started, finishedAt: started.addingTimeInterval(1_800),
                               commandLine: ["dindlab", "run", "Scenarios/matrix.yaml", "--seed", "\(night)"], seed: UInt64(night),
                               scenarioFiles: [.init(path: "Scenarios/matrix.yaml", sha256: scenarioDigest, scenario: "matrix")],
                               engines: [.init(name: "default", fingerprint: EngineFingerprint(daemonVersion: "20.10.24"))],
                               expectations: RunExpectations(byScenario: ["matrix": try SuccessRateExpectation(parsing: ">= 0.9")]),
                               plannedTrials: cells * trials)
    manifest.skippedCells = []
    var buffer = Data()
    var sequence = 0
    for round in 0..<trials {
        for cell in 0..<cells {
            // The last cell joins 30 nights before the end.
            if cell == cells - 1, cells > 1, night < nights - 30 { continue }
            let flaky = cell % 10 == 3
            let regresses = cell == 0 && last
            let failed = flaky ? Int.random(in: 0..<10, using: &random) < 3 : regresses ? round < trials * 6 / 10 : false
            let values: CellValues = ["daemon.start": cell % 2 == 0 ? "cmd" : "exec", "inner.mode": "m\(cell / 6)",
                                      "outer.image": images[(cell / 2) % 3]]
            let cellID = values.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let began = started.addingTimeInterval(Double(sequence) * 1.4)
            sequence += 1
            var record = TrialRecord(
                runID: runID, trialID: "matrix-c\(cell)-t\(round)", sequence: sequence, scenario: "matrix", cellID: cellID,
                cellValues: values, engine: "default", outcome: failed ? .fail : .pass, startedAt: began,
                finishedAt: began.addingTimeInterval(1.4),
                phaseDurations: [.outer: 0.29, .daemon: 0.24, .prepare: 0.2, .inner: 0.45, .cleanup: 0.2],
                innerRuns: [InnerRunResult(index: 1, exitCode: failed ? 1 : 0, outputMatched: !failed, durationSeconds: 0.45)])
            if failed {
                record.failingPhase = .inner
                record.signature = regresses ? "inner: failed to create shim task: OCI runtime create failed: <path>: no such file"
                    : "inner: umount <path>/shm: device or resource busy"
                record.firstError = record.signature
                record.lastError = "inner run 1 exited with status 1"
                record.errorLineCount = 3
                record.artifactsPath = "artifacts/\(record.trialID)"
            }
            buffer.append(try encoder.encode(record))
            buffer.append(UInt8(ascii: "\n"))
        }
    }
    try await store.writeManifest(manifest)
    try buffer.write(to: store.trialsURL)
}
print("\(nights) run folders in \(root.path)")
