// dindlab-report-bench: what `dindlab report` does with a run folder's trials.jsonl to rebuild
// its summary (ResultStore.tallyTrials: read it record by record and tally; then render the
// summary table), timed, for the benchmark's "report over 100,000 trial records" row while
// `dindlab report` is not on main.
//
//     dindlab-report-bench generate RESULTS_DIR COUNT   # writes a run folder (manifest.json,
//                                                       # trials.jsonl), prints its path
//     dindlab-report-bench read RUN_DIR                 # reads, tallies, renders; prints timing
//     dindlab-report-bench generate-history DIR NIGHTS CELLS TRIALS
//                                                       # NIGHTS run folders for the history row
import DindLabCore
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
    try await store.writeManifest(
        RunManifest(
            runID: store.runID, startedAt: Date(timeIntervalSince1970: 1_800_000_000),
            commandLine: ["dindlab-report-bench", "generate"]))
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
    print(
        "\(trials) records, \(summary.scenarios.flatMap(\.cells).count) cells, \(table.count) characters of tables in \(String(format: "%.3f", seconds)) s"
    )
case "generate-history":
    guard arguments.count == 5, let nights = Int(arguments[2]), let cells = Int(arguments[3]),
        let trials = Int(arguments[4]),
        nights > 0, cells > 0, trials > 0
    else {
        fail("usage: dindlab-report-bench generate-history DIR NIGHTS CELLS TRIALS")
    }
    try await generateHistory(into: URL(fileURLWithPath: arguments[1]), nights: nights, cells: cells, trials: trials)
    print("\(nights) run folders in \(arguments[1])")
default:
    fail(
        "usage: dindlab-report-bench generate RESULTS_DIR COUNT | read RUN_DIR | generate-history DIR NIGHTS CELLS TRIALS"
    )
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
    let handle = try FileHandle(
        forWritingTo: {
            _ = FileManager.default.createFile(atPath: store.trialsURL.path, contents: nil)
            return store.trialsURL
        }())
    for index in 0..<count {
        let cell = index % 12
        let failed = index % 17 == 0
        let began = start.addingTimeInterval(Double(index) * 1.4)
        let record = syntheticRecord(
            runID: store.runID, trialID: "matrix-c\(cell)-t\(index / 12)", sequence: index + 1, scenario: "matrix",
            cellID: "c\(cell)",
            values: [
                "daemon.start": cell % 2 == 0 ? "cmd" : "exec", "inner.mode": cell % 3 == 0 ? "ti" : "d",
                "outer.image": "dindlab/outer:bookworm",
            ],
            began: began, daemonSeconds: 0.24 + Double(cell) / 100,
            failedWith: failed ? signatures[index % signatures.count] : nil)
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
