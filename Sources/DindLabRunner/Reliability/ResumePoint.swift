package import DindLabCore
package import Foundation

/// An interrupted run to continue: its folder, its manifest (request, seed, scenario files
/// with their digests) and the trials it recorded. The runner rebuilds the same plan, skips
/// the recorded trials, and appends the others to the same trials.jsonl.
package struct ResumePoint: Sendable {
    package let store: ResultStore
    package let manifest: RunManifest
    /// The records trials.jsonl holds, in file order.
    package let records: [TrialRecord]
    /// Lines of trials.jsonl that are not records (a half-written last line after a crash):
    /// their trials count as not run and run again.
    package let corruptLines: [CorruptLine]

    /// Opens a run folder.
    ///
    /// - Parameter directory: `results/<run id>/`.
    /// - Throws: `ResumeError` when it is not a run folder or has no readable manifest.
    package static func open(_ directory: URL) async throws(ResumeError) -> ResumePoint {
        do {
            let store = try ResultStore(opening: directory)
            let manifest = try await store.readManifest()
            let log = try await store.readTrials()
            return ResumePoint(store: store, manifest: manifest, records: log.records, corruptLines: log.corruptLines)
        } catch {
            throw .notARun(directory.path, reason: error.description)
        }
    }

    private init(store: ResultStore, manifest: RunManifest, records: [TrialRecord], corruptLines: [CorruptLine]) {
        self.store = store
        self.manifest = manifest
        self.records = records
        self.corruptLines = corruptLines
    }

    /// Checks that every scenario file is still there with the contents the run read.
    ///
    /// - Parameter base: The folder relative paths are read from (the current directory).
    /// - Throws: `ResumeError` naming the first file that is missing or changed.
    package func checkScenarioFiles(
        relativeTo base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) throws(ResumeError) {
        for file in manifest.scenarioFiles {
            let url =
                file.path.hasPrefix("/") ? URL(fileURLWithPath: file.path) : base.appendingPathComponent(file.path)
            let digest: String
            do {
                digest = try SHA256.hexDigest(ofFileAt: url)
            } catch {
                throw .scenarioUnreadable(file.path, in: store.directory.path, reason: error.description)
            }
            guard digest == file.sha256 else {
                throw .scenarioChanged(file.path, in: store.directory.path, recorded: file.sha256, now: digest)
            }
        }
    }

    /// The trial ids already recorded.
    package var recordedTrialIDs: Set<String> { Set(records.map(\.trialID)) }

    /// The recorded trials that belong to `plan`.
    ///
    /// - Throws: `ResumeError` when a recorded trial is not in the plan, which means the plan
    ///   rebuilt from the manifest is not the run's plan.
    package func recordedTrials(in plan: Plan) throws(ResumeError) -> [TrialRecord] {
        let planned = Set(plan.trials.map(\.id))
        if let stray = records.first(where: { !planned.contains($0.trialID) }) {
            throw .notInPlan(stray.trialID, in: store.directory.path)
        }
        var seen = Set<String>()
        // A trial recorded twice (two resumes at once) counts once.
        return records.filter { seen.insert($0.trialID).inserted }
    }
}

/// Why a run cannot be resumed.
package struct ResumeError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case notARun(path: String, reason: String)
        case scenarioUnreadable(file: String, run: String, reason: String)
        case scenarioChanged(file: String, run: String, recorded: String, now: String)
        case notInPlan(trialID: String, run: String)
    }

    private let code: Code

    /// The folder is not a run's results folder, or its manifest cannot be read.
    package static func notARun(_ path: String, reason: String) -> ResumeError {
        ResumeError(code: .notARun(path: path, reason: reason))
    }

    /// A scenario file of the run cannot be read any more.
    package static func scenarioUnreadable(_ file: String, in run: String, reason: String) -> ResumeError {
        ResumeError(code: .scenarioUnreadable(file: file, run: run, reason: reason))
    }

    /// A scenario file changed since the run read it.
    package static func scenarioChanged(_ file: String, in run: String, recorded: String, now: String) -> ResumeError {
        ResumeError(code: .scenarioChanged(file: file, run: run, recorded: recorded, now: now))
    }

    /// A recorded trial is not in the rebuilt plan.
    package static func notInPlan(_ trialID: String, in run: String) -> ResumeError {
        ResumeError(code: .notInPlan(trialID: trialID, run: run))
    }

    package var description: String {
        switch code {
        case .notARun(let path, let reason):
            return "\(path) cannot be resumed: \(reason.hasSuffix(".") ? String(reason.dropLast()) : reason)."
        case .scenarioUnreadable(let file, let run, let reason):
            return
                "The run \(run) cannot be resumed: its scenario file \(file) cannot be read (\(reason.hasSuffix(".") ? String(reason.dropLast()) : reason)). Resume from the directory the run was started in."
        case .scenarioChanged(let file, let run, let recorded, let now):
            return
                "The run \(run) cannot be resumed: the scenario file \(file) changed since the run read it (sha256 \(recorded.prefix(12))… then, \(now.prefix(12))… now). Restore the file, or start a new run."
        case .notInPlan(let trialID, let run):
            return
                "The run \(run) cannot be resumed: its recorded trial \(trialID) is not in the plan rebuilt from its manifest, so the plan differs from the run's."
        }
    }
}
