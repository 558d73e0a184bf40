package import Foundation

/// `dindlab merge`: combines the run folders of a sharded run (`run --shard K/N` on N machines)
/// into one run folder, as if one machine had run the whole plan.
///
/// The runs must be parts of one plan: the same scenario files (compared by sha256, since paths
/// differ between machines), the same seed, the same whole-plan size, shards of the same N, each
/// shard once and no trial twice. The merged manifest lists every engine (each machine's
/// fingerprint) and the runs it came from; trials.jsonl holds every record (each keeps the run id
/// of the run that made it); artifacts are copied; the reports are rebuilt by the caller from the
/// merged folder, like `dindlab report` does.
package enum RunMerger {
    /// What a merge made.
    package struct Result: Sendable {
        /// The merged run folder.
        package let directory: URL
        package let manifest: RunManifest
        /// How many trial records it holds.
        package let trialCount: Int
        /// Things worth knowing that did not stop the merge (missing shards, unreadable lines).
        package let warnings: [String]
    }

    /// Merges run folders into a new one.
    /// - Parameters:
    ///   - sources: The run folders (`results/<run id>/` of each shard).
    ///   - destination: The merged run folder; must not exist. Its name is the merged run's id.
    ///   - commandLine: The merge's command line, for the manifest.
    /// - Returns: The merged folder, its manifest and warnings.
    /// - Throws: `MergeError` when the runs are not parts of one plan, `ResultsError` when a run
    ///   cannot be read or the merged one cannot be written.
    package static func merge(_ sources: [URL], into destination: URL, commandLine: [String] = []) async throws
        -> Result
    {
        guard !sources.isEmpty else { throw MergeError.noRuns }
        var runs: [Source] = []
        for directory in sources {
            let store = try ResultStore(opening: directory)
            runs.append(
                Source(
                    directory: directory, manifest: try await store.readManifest(), log: try await store.readTrials()))
        }
        try checkSamePlan(runs)
        var warnings = shardWarnings(runs)

        // Every trial once.
        var owner: [String: Source] = [:]
        var records: [TrialRecord] = []
        for run in runs {
            for line in run.log.corruptLines {
                warnings.append(
                    "\(run.label): trials.jsonl line \(line.lineNumber) is not a trial record and is not merged: \(line.reason)"
                )
            }
            for record in run.log.records {
                if let earlier = owner[record.trialID] {
                    throw MergeError.duplicateTrial(record.trialID, runs: [earlier.label, run.label])
                }
                owner[record.trialID] = run
                records.append(record)
            }
        }
        records.sort { ($0.sequence, $0.trialID) < ($1.sequence, $1.trialID) }

        guard let runID = RunID(destination.standardizedFileURL.lastPathComponent) else {
            throw MergeError.invalidDestination(destination.path)
        }
        let store = try ResultStore(
            creatingIn: destination.standardizedFileURL.deletingLastPathComponent(), runID: runID)
        let first = runs[0].manifest
        let versions = runs.map(\.manifest.harnessVersion).reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        if versions.count > 1 {
            warnings.append("the runs were made by different dindlab versions (\(versions.joined(separator: ", ")))")
        }
        var manifest = RunManifest(
            runID: runID,
            startedAt: runs.map(\.manifest.startedAt).min() ?? first.startedAt,
            finishedAt: runs.allSatisfy { $0.manifest.finishedAt != nil }
                ? runs.compactMap(\.manifest.finishedAt).max() : nil,
            harnessVersion: versions.joined(separator: ", "),
            commandLine: commandLine,
            seed: first.seed,
            scenarioFiles: first.scenarioFiles,
            engines: runs.flatMap(\.manifest.engines).reduce(into: []) { if !$0.contains($1) { $0.append($1) } },
            expectations: first.expectations,
            shard: nil,
            plannedTrials: first.plannedTrials,
            mergedFrom: runs.map {
                RunManifest.MergedRun(
                    runID: $0.manifest.runID, shard: $0.manifest.shard, commandLine: $0.manifest.commandLine)
            }
        )
        // What the shards skipped stays skipped (not missing) in the merged run.
        let skipped = runs.flatMap { $0.manifest.skippedCells ?? [] }
        manifest.skippedCells = skipped.isEmpty ? nil : skipped
        manifest.cellStateScenarios = first.cellStateScenarios
        do {
            try await store.writeManifest(manifest)
            for record in records {
                try await store.append(record)
            }
            for run in runs {
                try copyArtifacts(from: run.directory, to: store.directory)
            }
        } catch {
            // Half a merged run would pass for a whole one later.
            try? FileManager.default.removeItem(at: store.directory)
            throw error
        }
        return Result(directory: store.directory, manifest: manifest, trialCount: records.count, warnings: warnings)
    }

    /// One run folder being merged.
    private struct Source {
        let directory: URL
        let manifest: RunManifest
        let log: TrialLog

        /// `20261129T112233Z-ab12 (shard 2/3)`.
        var label: String {
            manifest.runID.description + (manifest.shard.map { " (shard \($0))" } ?? "")
        }
    }

    /// Refuses runs that are not parts of one plan.
    private static func checkSamePlan(_ runs: [Source]) throws(MergeError) {
        let first = runs[0]
        if Set(runs.map(\.manifest.seed)).count > 1 {
            throw .seedsDiffer(runs.map { "\($0.label): seed \($0.manifest.seed.map(String.init) ?? "none")" })
        }
        for other in runs.dropFirst() {
            let mine = first.manifest.scenarioFiles.map(\.sha256).sorted()
            let theirs = other.manifest.scenarioFiles.map(\.sha256).sorted()
            if mine != theirs {
                let onlyFirst = first.manifest.scenarioFiles.filter { !theirs.contains($0.sha256) }
                let onlyOther = other.manifest.scenarioFiles.filter { !mine.contains($0.sha256) }
                throw .scenariosDiffer(
                    first: first.label, other: other.label,
                    onlyInFirst: onlyFirst.map { "\($0.path) (sha256 \($0.sha256.prefix(12))…)" },
                    onlyInOther: onlyOther.map { "\($0.path) (sha256 \($0.sha256.prefix(12))…)" })
            }
        }
        if Set(runs.map(\.manifest.plannedTrials)).count > 1 {
            throw .plansDiffer(
                runs.map { "\($0.label): \($0.manifest.plannedTrials.map { "\($0) trials" } ?? "size not recorded")" })
        }
        let shardCounts = Set(runs.compactMap(\.manifest.shard?.count))
        if shardCounts.count > 1 || (shardCounts.count == 1 && runs.contains { $0.manifest.shard == nil }) {
            throw .shardCountsDiffer(
                runs.map { "\($0.label): " + ($0.manifest.shard.map { "\($0.count) shards" } ?? "not sharded") })
        }
        var seen: [Int: Source] = [:]
        for run in runs {
            guard let shard = run.manifest.shard else { continue }
            if let earlier = seen[shard.index] {
                throw .sameShardTwice(
                    shard.description, runs: [earlier.manifest.runID.description, run.manifest.runID.description])
            }
            seen[shard.index] = run
        }
    }

    /// Names the shards that were not given, which a merge allows (a CI job may have died) but
    /// the merged run's verdict counts as missing trials.
    private static func shardWarnings(_ runs: [Source]) -> [String] {
        guard let count = runs.first?.manifest.shard?.count else { return [] }
        let given = Set(runs.compactMap(\.manifest.shard?.index))
        let missing = (1...count).filter { !given.contains($0) }
        guard !missing.isEmpty else { return [] }
        return [
            "shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) of the plan \(missing.count == 1 ? "was" : "were") not given; the merged run lacks \(missing.count == 1 ? "its" : "their") trials"
        ]
    }

    /// Copies `artifacts/<trial id>/` folders; trial ids are unique across the runs (checked).
    private static func copyArtifacts(from source: URL, to destination: URL) throws(ResultsError) {
        let from = source.appendingPathComponent(ResultStore.artifactsFolderName, isDirectory: true)
        guard FileManager.default.fileExists(atPath: from.path) else { return }
        let to = destination.appendingPathComponent(ResultStore.artifactsFolderName, isDirectory: true)
        try ResultFiles.createDirectory(to)
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: from.path).sorted()
        } catch {
            throw .cannotRead(from.path, reason: error.localizedDescription)
        }
        for entry in entries {
            let target = to.appendingPathComponent(entry)
            do {
                try FileManager.default.copyItem(at: from.appendingPathComponent(entry), to: target)
            } catch {
                throw .cannotWrite(target.path, reason: error.localizedDescription)
            }
        }
    }
}
