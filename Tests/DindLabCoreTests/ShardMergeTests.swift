import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

/// Sharding a plan over machines and merging the shards' run folders: the merged run is the
/// unsharded run.
@Suite("Shards: split, run, merge")
struct ShardMergeTests {
    static let shardIDs = ["20261129T000001Z-s001", "20261129T000002Z-s002", "20261129T000003Z-s003"].map { RunID($0)! }

    /// Writes shard K/3 of the mixed plan for each K, as three machines would.
    func shardRuns(of plan: Plan, files: [URL], in root: URL, shards: [Int] = [1, 2, 3]) async throws -> [URL] {
        var directories: [URL] = []
        for index in shards {
            let shard = try plan.shard(index, of: 3)
            var engine = ReportFixtures.engine
            engine.endpoint = "unix:///machine-\(index)/docker.sock"
            directories.append(
                try await ReportFixtures.writeRun(
                    shard, files: files, in: root.appendingPathComponent("machine-\(index)"),
                    runID: Self.shardIDs[index - 1], engine: engine))
        }
        return directories
    }

    @Test(
        "shards 1/3, 2/3 and 3/3 are disjoint and together the whole plan; each manifest records its shard and the plan's size"
    )
    func disjointAndComplete() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (plan, files) = try ReportFixtures.plan([ReportFixtures.modesYAML, ReportFixtures.plainYAML], in: root.url)
        let shards = try (1...3).map { try plan.shard($0, of: 3) }
        let ids = shards.map { Set($0.trials.map(\.id)) }
        #expect(ids[0].isDisjoint(with: ids[1]) && ids[0].isDisjoint(with: ids[2]) && ids[1].isDisjoint(with: ids[2]))
        #expect(ids[0].union(ids[1]).union(ids[2]) == Set(plan.trials.map(\.id)))
        #expect(shards.allSatisfy { $0.wholePlanTrialCount == 23 })

        let directories = try await shardRuns(of: plan, files: files, in: root.url)
        for (index, directory) in directories.enumerated() {
            let manifest = try await ResultStore(opening: directory).readManifest()
            #expect(manifest.shard?.description == "\(index + 1)/3")
            #expect(manifest.plannedTrials == 23)
            #expect(manifest.seed == 42)
            #expect(manifest.expectations?.expectation(scenario: "modes")?.description == ">= 0.9")
        }
    }

    @Test("merging the three shard folders gives exactly the unsharded run's trials and tally")
    func mergeEqualsUnsharded() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (plan, files) = try ReportFixtures.plan([ReportFixtures.modesYAML, ReportFixtures.plainYAML], in: root.url)
        let whole = try await ReportFixtures.writeRun(
            plan, files: files, in: root.url.appendingPathComponent("whole"), runID: ResultsFixtures.runID)
        let shards = try await shardRuns(of: plan, files: files, in: root.url)

        let destination = root.url.appendingPathComponent("merged/nightly-42")
        let merged = try await RunMerger.merge(shards.reversed(), into: destination, commandLine: ["dindlab", "merge"])
        #expect(merged.trialCount == 23)
        #expect(merged.warnings.isEmpty)

        let unsharded = try await RunReport.load(runDirectory: whole, strict: false)
        let combined = try await RunReport.load(runDirectory: merged.directory, strict: false)
        // Reports stream the records; the trials themselves are read back for the comparison.
        func records(_ directory: URL) async throws -> [TrialRecord] {
            try await ResultStore(opening: directory).readTrials().records.sorted {
                ($0.sequence, $0.trialID) < ($1.sequence, $1.trialID)
            }
        }
        let combinedRecords = try await records(merged.directory)
        #expect(combinedRecords.map(\.trialID) == (try await records(whole)).map(\.trialID))
        #expect(combined.trialCount == combinedRecords.count)
        #expect(combined.summary.scenarios == unsharded.summary.scenarios)
        #expect(combined.verdict == unsharded.verdict)
        #expect(combined.missingTrials == 0)

        let manifest = combined.manifest
        #expect(manifest.runID.description == "nightly-42")
        #expect(manifest.shard == nil && manifest.plannedTrials == 23 && manifest.seed == 42)
        #expect(manifest.mergedFrom?.map(\.runID) == Self.shardIDs.reversed())
        #expect(
            Set(manifest.engines.compactMap(\.endpoint)) == [
                "unix:///machine-1/docker.sock", "unix:///machine-2/docker.sock", "unix:///machine-3/docker.sock",
            ])
        #expect(manifest.expectations == unsharded.manifest.expectations)
        // Every trial that kept artifacts has them in the merged folder.
        for record in combinedRecords {
            guard let path = record.artifactsPath else { continue }
            #expect(
                FileManager.default.fileExists(
                    atPath: merged.directory.appendingPathComponent(path).appendingPathComponent("daemon.log").path))
        }
    }

    @Test("a missing shard merges with a warning, and the verdict counts its trials as missing")
    func missingShard() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (plan, files) = try ReportFixtures.plan([ReportFixtures.plainYAML], in: root.url)
        let shards = try await shardRuns(of: plan, files: files, in: root.url, shards: [1, 3])
        let merged = try await RunMerger.merge(shards, into: root.url.appendingPathComponent("merged"))
        #expect(merged.warnings == ["shard 2/3 of the plan was not given; the merged run lacks its trials"])
        let report = try await RunReport.load(runDirectory: merged.directory, strict: false)
        #expect(report.missingTrials == 1)
        #expect(report.verdict.exitCode == 2, "\(report.verdict.description)")
    }

    @Test("what a shard skipped stays skipped in the merged run, not missing")
    func skippedShard() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (plan, files) = try ReportFixtures.plan([ReportFixtures.plainYAML], in: root.url)
        let shards = try await shardRuns(of: plan, files: files, in: root.url)
        // Shard 2's machine lacked the outer image: no record, its trial skipped.
        let store = try ResultStore(opening: shards[1])
        var manifest = try await store.readManifest()
        let skippedTrial = try plan.shard(2, of: 3).trials[0]
        manifest.skippedCells = [
            RunManifest.SkippedCell(
                scenario: "plain", cellID: "default", engine: "default", trials: 1,
                reason: "the outer image is not on the engine")
        ]
        try await store.writeManifest(manifest)
        try Data().write(to: shards[1].appendingPathComponent(ResultStore.trialsFileName))
        let merged = try await RunMerger.merge(shards, into: root.url.appendingPathComponent("merged"))
        #expect(merged.manifest.skippedCells?.count == 1)
        let report = try await RunReport.load(runDirectory: merged.directory, strict: false)
        #expect(report.missingTrials == 0, "the skipped trial \(skippedTrial.id) is not missing")
        #expect(report.summary.skippedTrials == 1)
        #expect(report.summary.scenarios.first?.cells.first?.skipped?.trials == 1)
    }

    @Test("runs that are not parts of one plan are refused, naming what differs")
    func refusals() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (plan, files) = try ReportFixtures.plan([ReportFixtures.plainYAML], in: root.url)
        let shards = try await shardRuns(of: plan, files: files, in: root.url)

        func refusal(_ sources: [URL], _ name: String) async -> String {
            let error = await #expect(throws: MergeError.self) {
                try await RunMerger.merge(sources, into: root.url.appendingPathComponent(name))
            }
            #expect(
                !FileManager.default.fileExists(atPath: root.url.appendingPathComponent(name).path),
                "a refused merge leaves nothing")
            return error?.description ?? ""
        }

        // Another seed.
        let (otherSeed, _) = try ReportFixtures.plan(
            [ReportFixtures.plainYAML], in: root.url.appendingPathComponent("seed"), seed: 43)
        let seeded = try await ReportFixtures.writeRun(
            try otherSeed.shard(2, of: 3), files: files, in: root.url.appendingPathComponent("seeded"),
            runID: RunID("20261129T000009Z-seed")!)
        let seeds = await refusal([shards[0], seeded], "m1")
        #expect(seeds.contains("different seeds") && seeds.contains("seed 42") && seeds.contains("seed 43"), "\(seeds)")

        // Another scenario file (one changed line gives another sha256).
        let changedFolder = root.url.appendingPathComponent("changed")
        let (changedPlan, changedFiles) = try ReportFixtures.plan(
            [ReportFixtures.plainYAML.replacingOccurrences(of: "repeat: 3", with: "repeat: 3 # edited")],
            in: changedFolder)
        let changed = try await ReportFixtures.writeRun(
            try changedPlan.shard(2, of: 3), files: changedFiles, in: root.url.appendingPathComponent("changed-run"),
            runID: RunID("20261129T000009Z-file")!)
        let scenarios = await refusal([shards[0], changed], "m2")
        #expect(
            scenarios.contains("did not run the same scenario files") && scenarios.contains("scenario0.yaml (sha256 "),
            "\(scenarios)")

        // The same shard twice.
        let copy = root.url.appendingPathComponent("copy/20261129T000009Z-copy")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: shards[1], to: copy)
        let twice = await refusal([shards[1], copy], "m3")
        #expect(twice.contains("Shard 2/3 was given twice"), "\(twice)")

        // Another split.
        let (same, _) = try ReportFixtures.plan(
            [ReportFixtures.plainYAML], in: root.url.appendingPathComponent("split"))
        let split = try await ReportFixtures.writeRun(
            try same.shard(1, of: 2), files: files, in: root.url.appendingPathComponent("split-run"),
            runID: RunID("20261129T000009Z-half")!)
        let counts = await refusal([shards[0], split], "m4")
        #expect(counts.contains("different numbers of shards"), "\(counts)")

        // Overlapping runs: the whole plan and one of its shards.
        let whole = try await ReportFixtures.writeRun(
            plan, files: files, in: root.url.appendingPathComponent("whole"), runID: ResultsFixtures.runID)
        let overlap = await refusal([whole, shards[0]], "m5")
        #expect(overlap.contains("different numbers of shards") || overlap.contains("recorded by both"), "\(overlap)")
    }

    @Test("a trial recorded by two runs is refused, naming it")
    func duplicateTrial() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (plan, files) = try ReportFixtures.plan([ReportFixtures.plainYAML], in: root.url)
        let first = try await ReportFixtures.writeRun(
            plan, files: files, in: root.url.appendingPathComponent("a"), runID: RunID("20261129T000001Z-aaaa")!)
        let second = try await ReportFixtures.writeRun(
            plan, files: files, in: root.url.appendingPathComponent("b"), runID: RunID("20261129T000002Z-bbbb")!)
        let error = await #expect(throws: MergeError.self) {
            try await RunMerger.merge([first, second], into: root.url.appendingPathComponent("merged"))
        }
        #expect(
            error?.description
                == "The trial plain-c0-t0 was recorded by both 20261129T000001Z-aaaa and 20261129T000002Z-bbbb; a merged run holds each trial once, so these runs overlap."
        )
    }

    @Test("the merged folder's name must be a run id, and an existing run is never overwritten")
    func destination() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let (plan, files) = try ReportFixtures.plan([ReportFixtures.plainYAML], in: root.url)
        let shards = try await shardRuns(of: plan, files: files, in: root.url)
        await #expect(throws: MergeError.self) {
            try await RunMerger.merge(shards, into: root.url.appendingPathComponent("bad name"))
        }
        await #expect(throws: ResultsError.self) { try await RunMerger.merge(shards, into: shards[0]) }
    }
}
