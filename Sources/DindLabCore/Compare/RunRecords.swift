package import Foundation

/// A finished run read back from its folder: the manifest (when readable) and every trial
/// record, tallied afresh from trials.jsonl (summary.json may be older than the trials).
package struct RunRecords: Sendable {
    package let directory: URL
    package let manifest: RunManifest?
    package let records: [TrialRecord]
    /// Lines of trials.jsonl that are not records (skipped, and said so).
    package let corruptLines: [CorruptLine]
    package let tally: Tally

    /// - Parameters:
    ///   - directory: The run folder.
    ///   - manifest: Its manifest, if readable.
    ///   - records: Its trial records.
    ///   - corruptLines: Lines of trials.jsonl that were skipped.
    package init(directory: URL, manifest: RunManifest?, records: [TrialRecord], corruptLines: [CorruptLine] = []) {
        self.directory = directory
        self.manifest = manifest
        self.records = records
        self.corruptLines = corruptLines
        self.tally = Tally(records: records)
    }

    /// Reads a run folder.
    /// - Parameter directory: `results/<run id>/`.
    /// - Throws: `ResultsError` when it is not a run folder or trials.jsonl cannot be read.
    package static func load(_ directory: URL) async throws -> RunRecords {
        let store = try ResultStore(opening: directory)
        let log = try await store.readTrials()
        let manifest = try? await store.readManifest()
        return RunRecords(
            directory: directory, manifest: manifest, records: log.records, corruptLines: log.corruptLines)
    }

    /// A short name for tables: the folder's name (the run id).
    package var label: String { directory.standardizedFileURL.lastPathComponent }

    /// The engines in manifest order, then any others the records name.
    package var engineNames: [String] {
        var names = manifest?.engines.map(\.name) ?? []
        for record in records where !names.contains(record.engine) { names.append(record.engine) }
        return names
    }

    /// The position of a cell in its scenario's matrix expansion, read from its trial ids
    /// (`<scenario>-c<index>-t<trial>`), to show levels in the scenario's own order.
    func cellIndex(scenario: String, cellID: String) -> Int {
        let prefix = scenario + "-c"
        return records.lazy.filter { $0.scenario == scenario && $0.cellID == cellID && $0.trialID.hasPrefix(prefix) }
            .compactMap { Int($0.trialID.dropFirst(prefix.count).prefix { $0.isNumber }) }.first ?? Int.max
    }
}
