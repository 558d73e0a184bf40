import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation
import Testing

/// Sharding against a real engine: a small deterministic scenario run whole and as three
/// shards with the same seed gives, once merged, the same trials and the same counts, and the
/// signatures the shards recorded.
@Suite(.enabled(if: RealEngine.canRunTrials, RealEngine.noOuterImageReason), .serialized)
struct ShardEndToEndTests {
    /// One cell that passes and one whose inner command fails, twice each: 4 trials.
    static let scenario = """
        version: 1
        name: shard-e2e
        repeat: 2
        timeout: 90s
        outer:
          image: OUTER_IMAGE
        inner:
          image: busybox
          mode: d
          expect-output: "^ok"
        expect:
          success-rate: ">= 1"
        matrix:
          inner.command: [[sh, -c, "echo ok"], [sh, -c, "echo broken; exit 3"]]
        """

    @Test("shards 1/3, 2/3, 3/3 merged give exactly the unsharded run's trials and counts")
    func shardsMergeToTheWholeRun() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-e2e-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("shard-e2e.yaml")
        try Self.scenario.replacingOccurrences(of: "OUTER_IMAGE", with: RealEngine.outerImage!).write(
            to: file, atomically: true, encoding: .utf8)
        let plan = try Plan(scenarios: [try ScenarioLoader.load(file: file.path)], seed: 5)
        let engine = try EngineSelection.resolve(RealEngine.address)

        func run(_ plan: Plan, into root: String) async throws -> RunResult {
            let options = RunOptions(jobs: 2, resultsRoot: folder.appendingPathComponent(root))
            let result = try await Runner(engines: [engine], options: options).run(plan: plan)
            let left = try await RealEngine.client().listContainers(
                all: true, labels: ["dindlab.run=\(result.manifest.runID)"])
            #expect(left.isEmpty, "containers left behind: \(left.map(\.id))")
            return result
        }

        let whole = try await run(plan, into: "whole")
        var shards: [URL] = []
        for index in 1...3 {
            let shard = try await run(try plan.shard(index, of: 3), into: "shard-\(index)")
            #expect(shard.manifest.shard?.description == "\(index)/3")
            #expect(shard.manifest.plannedTrials == 4)
            shards.append(shard.directory)
        }
        let merged = try await RunMerger.merge(shards, into: folder.appendingPathComponent("merged/merged-5"))
        #expect(merged.warnings.isEmpty, "\(merged.warnings)")

        let unsharded = try await RunReport.load(runDirectory: whole.directory, strict: false)
        let combined = try await RunReport.load(runDirectory: merged.directory, strict: false)
        // Reports stream the records; the trials themselves are read back for the comparison.
        func records(_ directory: URL) async throws -> [TrialRecord] {
            try await ResultStore(opening: directory).readTrials().records.sorted {
                ($0.sequence, $0.trialID) < ($1.sequence, $1.trialID)
            }
        }
        let combinedRecords = try await records(merged.directory)
        let unshardedRecords = try await records(whole.directory)
        #expect(combinedRecords.map(\.trialID) == unshardedRecords.map(\.trialID))
        #expect(combinedRecords.map(\.sequence) == plan.trials.map(\.sequence))

        struct Counts: Equatable { let cell: String, trials: Int, passes: Int, fails: Int, timeouts: Int, errors: Int }
        func counts(_ report: RunReport) -> [Counts] {
            report.cells.map { _, cell in
                Counts(
                    cell: cell.cellID, trials: cell.trials, passes: cell.passes, fails: cell.fails,
                    timeouts: cell.timeouts, errors: cell.errors)
            }
        }
        #expect(counts(combined) == counts(unsharded))
        // A signature is the first error a trial's inner daemon or step printed, which a loaded
        // machine can vary from run to run (a containerd reconnect in the log); the merge must
        // tally exactly the signatures the shards recorded.
        var shardSignatures: [String: [String: Int]] = [:]
        for shard in shards {
            for record in try await records(shard) {
                if let signature = record.signature {
                    shardSignatures[record.cellID, default: [:]][signature, default: 0] += 1
                }
            }
        }
        var mergedSignatures: [String: [String: Int]] = [:]
        for (_, cell) in combined.cells {
            for signature in cell.signatures {
                mergedSignatures[cell.cellID, default: [:]][signature.signature] = signature.count
            }
        }
        #expect(mergedSignatures == shardSignatures)
        #expect(mergedSignatures.values.reduce(0) { $0 + $1.values.reduce(0, +) } == 2, "the failing cell's two trials")
        // The scenario is deterministic: the first cell passes, the second fails its expectation.
        #expect(counts(unsharded).map(\.passes) == [2, 0], "\(unshardedRecords.map { $0.signature ?? "pass" })")
        #expect(combined.verdict.exitCode == 1 && unsharded.verdict.exitCode == 1)

        try combined.write()
        for file in ReportFiles(in: merged.directory).all {
            #expect(FileManager.default.fileExists(atPath: file.path), "\(file.lastPathComponent) missing")
        }
    }
}
