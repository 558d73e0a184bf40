import Foundation

@testable import DindLabCore

/// Run folders made up for history tests: nights of one scenario whose cells pass and fail
/// as told, written as `dindlab run` writes them (manifest.json, trials.jsonl).
enum HistoryFixtures {
    /// One cell of a night: how many trials passed, failed, timed out, errored.
    struct Cell {
        var id: String
        var passes = 0
        var fails = 0
        var timeouts = 0
        var errors = 0
        var signature = "inner: exit status <n>"

        /// `role=steady`, with its value as the cell's one matrix key.
        static func role(_ role: String, passes: Int, fails: Int, signature: String = "inner: exit status <n>") -> Cell
        {
            Cell(id: "role=\(role)", passes: passes, fails: fails, signature: signature)
        }

        var values: CellValues {
            CellValues(
                id.split(separator: ",").map { part in
                    let halves = part.split(separator: "=", maxSplits: 1)
                    return (String(halves[0]), String(halves.count > 1 ? halves[1] : ""))
                })
        }
    }

    /// 2026-12-01 03:17 UTC, the first night.
    static let firstNight = Date(timeIntervalSince1970: 1_796_095_020)

    /// Writes one night's run folder.
    /// - Parameters:
    ///   - root: The folder the run folder goes into.
    ///   - runID: Its name.
    ///   - day: Days after `firstNight` it started.
    ///   - cells: Its cells, in matrix order (their index makes the trial ids).
    ///   - skipped: Cells that could not run: (cell id, reason).
    ///   - scenarioSHA: The scenario file's digest that night.
    ///   - expectation: The scenario's expectation.
    ///   - shard: The shard it was, if any; `mergedFrom`: the runs it was merged from.
    /// - Returns: The run folder.
    @discardableResult
    static func night(
        in root: URL, runID: String, day: Double, scenario: String = "nightly", cells: [Cell],
        skipped: [(String, String)] = [],
        scenarioSHA: String = String(repeating: "a", count: 64), expectation: String? = ">= 0.9",
        engine: String = "default",
        seed: UInt64? = nil, shard: Plan.Shard? = nil, mergedFrom: [String]? = nil, cellIndexOffset: Int = 0
    ) async throws -> URL {
        let id = RunID(runID)!
        let store = try ResultStore(creatingIn: root, runID: id)
        let started = firstNight.addingTimeInterval(day * 86_400)
        var manifest = RunManifest(
            runID: id, startedAt: started, finishedAt: started.addingTimeInterval(600),
            commandLine: ["dindlab", "run", "Scenarios/\(scenario).yaml"],
            seed: seed,
            scenarioFiles: [.init(path: "Scenarios/\(scenario).yaml", sha256: scenarioSHA, scenario: scenario)],
            engines: [.init(name: engine, fingerprint: EngineFingerprint(daemonVersion: "20.10.24"))],
            expectations: try expectation.map {
                RunExpectations(byScenario: [scenario: try SuccessRateExpectation(parsing: $0)])
            },
            shard: shard, plannedTrials: cells.reduce(0) { $0 + $1.passes + $1.fails + $1.timeouts + $1.errors },
            mergedFrom: mergedFrom.map {
                $0.map { RunManifest.MergedRun(runID: RunID($0)!, shard: nil, commandLine: []) }
            })
        manifest.skippedCells = skipped.map {
            .init(scenario: scenario, cellID: $0.0, engine: engine, trials: 10, reason: $0.1)
        }
        try await store.writeManifest(manifest)
        var sequence = 0
        for (index, cell) in cells.enumerated() {
            let outcomes =
                Array(repeating: TrialOutcome.fail, count: cell.fails)
                + Array(repeating: .timeout, count: cell.timeouts)
                + Array(repeating: .error, count: cell.errors) + Array(repeating: .pass, count: cell.passes)
            for (trial, outcome) in outcomes.enumerated() {
                sequence += 1
                let trialID = "\(scenario)-c\(index + cellIndexOffset)-t\(trial)"
                let at = started.addingTimeInterval(Double(sequence))
                try await store.append(
                    TrialRecord(
                        runID: id, trialID: trialID, sequence: sequence, scenario: scenario, cellID: cell.id,
                        cellValues: cell.values,
                        engine: engine, outcome: outcome, failingPhase: outcome == .pass ? nil : .inner,
                        signature: outcome == .pass ? nil : cell.signature, startedAt: at,
                        finishedAt: at.addingTimeInterval(1),
                        artifactsPath: outcome == .pass ? nil : "artifacts/\(trialID)"))
            }
        }
        return store.directory
    }

    /// The Done-when's five nights: `role=steady` passes 10/10 for four nights and fails 6 of 10
    /// on the fifth; `role=flaky` fails 3 of 10 every night.
    static func fiveNights(in root: URL) async throws {
        for day in 0..<5 {
            let last = day == 4
            try await night(
                in: root, runID: "night-\(day + 1)", day: Double(day),
                cells: [
                    .role(
                        "steady", passes: last ? 4 : 10, fails: last ? 6 : 0,
                        signature: "inner: umount <path>/shm: device or resource busy"),
                    .role("flaky", passes: 7, fails: 3),
                ])
        }
    }
}
