import DindLab
import DockerEngine
import Foundation
import Testing

/// Sharding against a real engine: a small deterministic scenario run whole and as three
/// shards with the same seed gives, once merged, the same trials and the same counts.
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
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dindlab-e2e-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("shard-e2e.yaml")
        try Self.scenario.replacingOccurrences(of: "OUTER_IMAGE", with: RealEngine.outerImage!).write(to: file, atomically: true, encoding: .utf8)
        let plan = try Plan(scenarios: [try ScenarioLoader.load(file: file.path)], seed: 5)
        let engine = try EngineSelection.resolve(RealEngine.address)

        func run(_ plan: Plan, into root: String) async throws -> RunResult {
            let options = RunOptions(jobs: 2, resultsRoot: folder.appendingPathComponent(root))
            let result = try await Runner(engines: [engine], options: options).run(plan: plan, scenarioFiles: [file.path])
            let left = try await RealEngine.client().listContainers(all: true, labels: ["dindlab.run=\(result.manifest.runID)"])
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
        #expect(combined.records.map(\.trialID) == unsharded.records.map(\.trialID))
        #expect(combined.records.map(\.sequence) == plan.trials.map(\.sequence))

        struct Counts: Equatable { let cell: String, trials: Int, passes: Int, fails: Int, timeouts: Int, errors: Int, signatures: [String] }
        func counts(_ report: RunReport) -> [Counts] {
            report.cells.map { _, cell in
                Counts(cell: cell.cellID, trials: cell.trials, passes: cell.passes, fails: cell.fails, timeouts: cell.timeouts,
                       errors: cell.errors, signatures: cell.signatures.map { "\($0.count)× \($0.signature)" })
            }
        }
        #expect(counts(combined) == counts(unsharded))
        // The scenario is deterministic: the first cell passes, the second fails its expectation.
        #expect(counts(unsharded).map(\.passes) == [2, 0], "\(unsharded.records.map { $0.signature ?? "pass" })")
        #expect(combined.verdict.exitCode == 1 && unsharded.verdict.exitCode == 1)

        try combined.write()
        for file in ReportFiles(in: merged.directory).all {
            #expect(FileManager.default.fileExists(atPath: file.path), "\(file.lastPathComponent) missing")
        }
    }
}
