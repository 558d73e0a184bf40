import DindLabCore
import Foundation

/// Writes `nights` run folders into `root`, one a day at 03:17 UTC, each a run of one scenario
/// with `cells` cells (a three-key matrix) of `trials` trials, for the history row. Most cells
/// pass; one in ten fails about 30% of its trials every night (flaky), and the first regresses
/// on the last night with a new signature.
func generateHistory(into root: URL, nights: Int, cells: Int, trials: Int) async throws {
    let first = Date(timeIntervalSince1970: 1_767_237_420)  // 2026-01-01 03:17 UTC
    let encoder = ResultsJSON.encoder()
    let images = ["dindlab/outer:bullseye", "dindlab/outer:bookworm", "dindlab/outer:trixie"]
    var random = SystemRandomNumberGenerator()
    for night in 0..<nights {
        let started = first.addingTimeInterval(Double(night) * 86_400)
        let name = "nightly-\(String(format: "%04d", night))"
        guard let runID = RunID(name) else { throw ResultsError.invalidName("run id", name) }
        let store = try ResultStore(creatingIn: root, runID: runID)
        let last = night == nights - 1
        let manifest = RunManifest(
            runID: runID, startedAt: started, finishedAt: started.addingTimeInterval(1_800),
            commandLine: ["dindlab", "run", "Scenarios/matrix.yaml", "--seed", "\(night)"], seed: UInt64(night),
            scenarioFiles: [
                .init(path: "Scenarios/matrix.yaml", sha256: String(repeating: "ab", count: 32), scenario: "matrix")
            ],
            engines: [.init(name: "default", fingerprint: EngineFingerprint(daemonVersion: "20.10.24"))],
            expectations: RunExpectations(byScenario: ["matrix": try SuccessRateExpectation(parsing: ">= 0.9")]),
            plannedTrials: cells * trials)
        var buffer = Data()
        var sequence = 0
        for round in 0..<trials {
            for cell in 0..<cells {
                let flaky = cell % 10 == 3
                let regresses = cell == 0 && last
                let failed = flaky ? Int.random(in: 0..<10, using: &random) < 3 : regresses && round < trials * 6 / 10
                let values: CellValues = [
                    "daemon.start": cell % 2 == 0 ? "cmd" : "exec", "inner.mode": "m\(cell / 6)",
                    "outer.image": images[(cell / 2) % 3],
                ]
                sequence += 1
                let signature =
                    !failed
                    ? nil
                    : regresses
                        ? "inner: failed to create shim task: OCI runtime create failed: <path>: no such file"
                        : "inner: umount <path>/shm: device or resource busy"
                buffer.append(
                    try encoder.encode(
                        syntheticRecord(
                            runID: runID, trialID: "matrix-c\(cell)-t\(round)", sequence: sequence, scenario: "matrix",
                            cellID: values.description.replacingOccurrences(of: ", ", with: ","),
                            values: values, began: started.addingTimeInterval(Double(sequence) * 1.4),
                            failedWith: signature)))
                buffer.append(UInt8(ascii: "\n"))
            }
        }
        try await store.writeManifest(manifest)
        try buffer.write(to: store.trialsURL)
    }
}
