package import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A run's results directory, `results/<run id>/`:
///
///     manifest.json          what the run was (RunManifest), replaced atomically
///     trials.jsonl           one TrialRecord per line, appended as trials end
///     artifacts/<trial id>/  what failed trials left behind
///     summary.json           the derived tally (RunSummary)
///
/// An actor, so the runner's concurrent trials can append without coordinating; each
/// append is also a single O_APPEND write, so other processes appending to the same
/// file do not break lines either.
package actor ResultStore {
    /// File and folder names inside a run directory (DESIGN.md, Results).
    package static let manifestFileName = "manifest.json"
    package static let trialsFileName = "trials.jsonl"
    package static let summaryFileName = "summary.json"
    package static let artifactsFolderName = "artifacts"

    package nonisolated let runID: RunID
    /// `results/<run id>/`.
    package nonisolated let directory: URL

    /// Creates the directory of a new run.
    /// - Parameters:
    ///   - resultsRoot: The `results/` directory; created if missing.
    ///   - runID: The run's id; a fresh one by default.
    /// - Throws: `ResultsError.runExists` when the run's directory exists already, or
    ///   when a directory cannot be created.
    package init(creatingIn resultsRoot: URL, runID: RunID = .generate()) throws(ResultsError) {
        let directory = resultsRoot.appendingPathComponent(runID.rawValue, isDirectory: true)
        try ResultFiles.createDirectory(resultsRoot)
        // mkdir(2) rather than FileManager so that an existing run is an error, not reused.
        guard mkdir(directory.path, 0o755) == 0 else {
            throw errno == EEXIST
                ? .runExists(directory.path)
                : .cannotCreateDirectory(directory.path, reason: String(cString: strerror(errno)))
        }
        self.runID = runID
        self.directory = directory
    }

    /// Opens an existing run's directory, e.g. for `dindlab report`.
    /// - Parameter directory: `results/<run id>/`; its name must be a valid run id.
    /// - Throws: `ResultsError.notARunDirectory` when it is not a directory or not so named.
    package init(opening directory: URL) throws(ResultsError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue,
            let runID = RunID(directory.standardizedFileURL.lastPathComponent)
        else {
            throw .notARunDirectory(directory.path)
        }
        self.runID = runID
        self.directory = directory
    }

    package nonisolated var manifestURL: URL { directory.appendingPathComponent(Self.manifestFileName) }
    package nonisolated var trialsURL: URL { directory.appendingPathComponent(Self.trialsFileName) }
    package nonisolated var summaryURL: URL { directory.appendingPathComponent(Self.summaryFileName) }

    // MARK: - Manifest

    /// Writes manifest.json, replacing any earlier version atomically (it is written at
    /// the start of a run and again with its end time).
    package func writeManifest(_ manifest: RunManifest) throws(ResultsError) {
        try ResultFiles.writeAtomically(encode(manifest, what: "run manifest", pretty: true), to: manifestURL)
    }

    /// Reads manifest.json.
    /// - Throws: `ResultsError` when it is missing or not a manifest.
    package func readManifest() throws(ResultsError) -> RunManifest {
        try decode(RunManifest.self, from: manifestURL)
    }

    // MARK: - Trials

    /// Appends one record to trials.jsonl as a single line, flushed to disk before returning.
    package func append(_ record: TrialRecord) throws(ResultsError) {
        try ResultFiles.appendLine(
            encode(record, what: "record of trial \(record.trialID)", pretty: false), to: trialsURL)
    }

    /// Reads trials.jsonl back. Lines that are not records are reported with their line
    /// numbers and skipped; a missing file means no trial has finished yet.
    package func readTrials() throws(ResultsError) -> TrialLog {
        var records: [TrialRecord] = []
        let corrupt = try forEachTrial { records.append($0) }
        return TrialLog(records: records, corruptLines: corrupt)
    }

    /// Reads trials.jsonl one record at a time, in file order, holding neither the file nor
    /// the records. Lines that are not records are skipped and returned; a missing file means
    /// no trial has finished yet.
    ///
    /// - Parameter body: Gets each record.
    /// - Returns: The lines that are not records, in file order.
    /// - Throws: `ResultsError.cannotRead` when the file cannot be read.
    @discardableResult
    package func forEachTrial(_ body: (TrialRecord) -> Void) throws(ResultsError) -> [CorruptLine] {
        try Self.decodeLines(of: TrialRecord.self, in: trialsURL, range: nil, body).corrupt
    }

    /// Decodes each line of `url` (or of a range of its lines) as `T`; lines that are not
    /// records are returned, numbered from the range's start.
    nonisolated static func decodeLines<T: Decodable>(
        of type: T.Type, in url: URL, range: Range<Int64>?, _ body: (T) -> Void
    ) throws(ResultsError) -> (corrupt: [CorruptLine], lines: Int) {
        let decoder = ResultsJSON.decoder()
        var corrupt: [CorruptLine] = []
        let lines = try ResultFiles.forEachLine(in: url, range: range) { line, number, unterminated in
            func skip(_ reason: String) {
                corrupt.append(
                    CorruptLine(
                        lineNumber: number, reason: reason, excerpt: String(decoding: line.prefix(120), as: UTF8.self)))
            }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) {
                skip("the line is empty")
                return
            }
            do {
                body(try decoder.decode(T.self, from: Data(line)))
            } catch {
                let reason = ResultsJSON.explain(error)
                skip(
                    unterminated
                        ? "the last line is incomplete (the harness may have stopped while writing it): " + reason
                        : reason)
            }
        }
        return (corrupt, lines ?? 0)
    }

    // MARK: - Artifacts

    /// Creates (if needed) and returns `artifacts/<trial id>/`.
    /// - Throws: `ResultsError.invalidName` when the trial id cannot name a directory.
    package func artifactsDirectory(for trialID: String) throws(ResultsError) -> URL {
        let url = directory.appendingPathComponent(try Self.artifactsPath(for: trialID), isDirectory: true)
        try ResultFiles.createDirectory(url)
        return url
    }

    /// `artifacts/<trial id>`, the path a TrialRecord stores (relative to the run directory).
    package nonisolated static func artifactsPath(for trialID: String) throws(ResultsError) -> String {
        guard SafeName.isValid(trialID) else { throw .invalidName("trial id", trialID) }
        return "\(artifactsFolderName)/\(trialID)"
    }

    // MARK: - Summary

    /// Writes summary.json atomically.
    package func writeSummary(_ summary: RunSummary) throws(ResultsError) {
        try ResultFiles.writeAtomically(encode(summary, what: "run summary", pretty: true), to: summaryURL)
    }

    /// Reads summary.json.
    /// - Throws: `ResultsError` when it is missing or not a summary.
    package func readSummary() throws(ResultsError) -> RunSummary {
        try decode(RunSummary.self, from: summaryURL)
    }

    // MARK: - Coding

    private func encode(_ value: some Encodable, what: String, pretty: Bool) throws(ResultsError) -> Data {
        do {
            return try ResultsJSON.encoder(pretty: pretty).encode(value)
        } catch {
            throw .cannotEncode(what, reason: "\(error)")
        }
    }

    private func decode<Value: Decodable>(_ type: Value.Type, from url: URL) throws(ResultsError) -> Value {
        guard let data = try ResultFiles.readIfPresent(url) else {
            throw .cannotRead(url.path, reason: "the file does not exist")
        }
        do {
            return try ResultsJSON.decoder().decode(type, from: data)
        } catch {
            throw .cannotDecode(url.path, reason: ResultsJSON.explain(error))
        }
    }
}
