// dindlab-report-bench: what `dindlab report` does with a run folder's trials.jsonl to rebuild
// its summary (ResultStore.tallyTrials: read it record by record and tally; then render the
// summary table), timed, for the benchmark's "report over 100,000 trial records" row while
// `dindlab report` is not on main.
//
//     dindlab-report-bench generate RESULTS_DIR COUNT   # writes a run folder (manifest.json,
//                                                       # trials.jsonl), prints its path
//     dindlab-report-bench read RUN_DIR                 # reads, tallies, renders; prints timing
import DindLab
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("dindlab-report-bench: \(message)\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "generate":
    guard arguments.count == 3, let count = Int(arguments[2]), count > 0 else {
        fail("usage: dindlab-report-bench generate RESULTS_DIR COUNT")
    }
    let store = try ResultStore(creatingIn: URL(fileURLWithPath: arguments[1]))
    try await store.writeManifest(RunManifest(runID: store.runID, startedAt: Date(timeIntervalSince1970: 1_800_000_000), commandLine: ["dindlab-report-bench", "generate"]))
    try generate(count: count, into: store)
    print(store.directory.path)
case "read":
    guard arguments.count == 2 else { fail("usage: dindlab-report-bench read RUN_DIR") }
    let clock = ContinuousClock()
    let started = clock.now
    let store = try ResultStore(opening: URL(fileURLWithPath: arguments[1]))
    let summary = try await store.tallyTrials()
    let table = SummaryTable.render(summary)
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let trials = summary.scenarios.flatMap(\.cells).map(\.trials).reduce(0, +)
    print("\(trials) records, \(summary.scenarios.flatMap(\.cells).count) cells, \(table.count) characters of tables in \(String(format: "%.3f", seconds)) s")
default:
    fail("usage: dindlab-report-bench generate RESULTS_DIR COUNT | read RUN_DIR")
}

/// Writes `count` records shaped like a nightly matrix's: 12 cells, mostly passes, failures
/// under a handful of signatures, phase durations and one inner run each.
func generate(count: Int, into store: ResultStore) throws {
    let encoder = ResultsJSON.encoder()
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let signatures = [
        "daemon: failed to start daemon: Devices cgroup isn't mounted",
        "inner: umount <path>/shm: device or resource busy",
        "inner: failed to create endpoint <id> on network none",
    ]
    var buffer = Data()
    let handle = try FileHandle(forWritingTo: {
        _ = FileManager.default.createFile(atPath: store.trialsURL.path, contents: nil)
        return store.trialsURL
    }())
    for index in 0..<count {
        let cell = index % 12
        let failed = index % 17 == 0
        let began = start.addingTimeInterval(Double(index) * 1.4)
        var record = TrialRecord(
            runID: store.runID, trialID: "matrix-c\(cell)-t\(index / 12)", sequence: index + 1, scenario: "matrix",
            cellID: "c\(cell)", cellValues: ["daemon.start": cell % 2 == 0 ? "cmd" : "exec", "inner.mode": cell % 3 == 0 ? "ti" : "d", "outer.image": "dindlab/outer:bookworm"],
            engine: "default", outcome: failed ? .fail : .pass, startedAt: began, finishedAt: began.addingTimeInterval(1.4),
            phaseDurations: [.outer: 0.29, .daemon: 0.24 + Double(cell) / 100, .prepare: 0.2, .inner: 0.45, .cleanup: 0.2],
            innerRuns: [InnerRunResult(index: 0, exitCode: failed ? 1 : 0, outputMatched: !failed, durationSeconds: 0.45)])
        if failed {
            record.failingPhase = .inner
            record.signature = signatures[index % signatures.count]
            record.firstError = record.signature
            record.lastError = "inner run 1 exited with status 1"
            record.errorLineCount = 3
            record.artifactsPath = "artifacts/\(record.trialID)"
        }
        buffer.append(try encoder.encode(record))
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count > 1 << 20 {
            handle.write(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }
    handle.write(buffer)
    try handle.close()
}
