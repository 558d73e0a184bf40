package import Foundation

/// `dindlab history --json F`: the whole history for dashboards. Nights oldest first; each
/// cell's `entries` has one element per night, in the same order, `null` where the cell was
/// neither run nor skipped. Times are ISO 8601 in UTC, as in every results file.
package struct HistoryJSON: Sendable, Codable {
    package struct Night: Sendable, Codable {
        package var index: Int
        package var runIDs: [String]
        package var directories: [String]
        package var startedAt: Date
        package var finishedAt: Date?
        package var seed: UInt64?
        package var harnessVersion: String
        package var provenance: String?
        package var trials: Int
        package var corruptLines: Int
        /// The night's report.html, relative to the JSON file.
        package var report: String
    }

    package struct Entry: Sendable, Codable {
        package var passes: Int
        package var fails: Int
        package var timeouts: Int
        package var errors: Int
        package var successRate: Double?
        /// Why the cell could not run that night.
        package var skipped: String?
        package var topSignature: String?
        /// The night's expectation (the cell's `expectation` unless the scenario changed it) judged on its rate.
        package var expectationHolds: Bool?
    }

    package struct Cell: Sendable, Codable {
        package var scenario: String
        package var cellID: String
        package var cellValues: CellValues
        package var engine: String?
        package var classification: HistoryClass
        package var explanation: String
        package var latest: HistoryCounts?
        package var window: HistoryCounts?
        package var pValue: Double?
        package var adjustedPValue: Double?
        package var expectation: SuccessRateExpectation?
        package var entries: [Entry?]
    }

    package struct Signature: Sendable, Codable {
        package var scenario: String
        package var outcome: TrialOutcome
        package var signature: String
        package var firstNight: Int
        package var firstRunID: String
        package var firstStartedAt: Date
        package var lastNight: Int
        package var nights: Int
        package var count: Int
        package var cells: [String]
        package var exampleTrialID: String
        /// The example trial's artifacts folder, relative to the JSON file; nil when it kept none.
        package var exampleArtifacts: String?
    }

    package struct FileChange: Sendable, Codable {
        package var scenario: String
        package var night: Int
        package var runID: String
        package var previousSHA256: String
        package var sha256: String
    }

    package var generatedAt: Date
    package var harnessVersion: String
    package var window: Int
    package var significanceLevel: Double
    package var nights: [Night]
    package var cells: [Cell]
    package var signatures: [Signature]
    package var scenarioFileChanges: [FileChange]
    package var warnings: [String]

    /// - Parameters:
    ///   - history: The history.
    ///   - location: The folder the JSON file is written to; paths are relative from there.
    ///   - generatedAt: When it was made.
    package init(_ history: History, location: URL, generatedAt: Date = Date()) {
        func relative(_ directory: URL, _ tail: String) -> String {
            RelativePath.from(location, to: directory) + tail
        }
        self.generatedAt = Timestamp.rounded(generatedAt)
        harnessVersion = Harness.version
        window = history.window
        significanceLevel = History.significanceLevel
        nights = history.nights.map { night in
            Night(
                index: night.index, runIDs: night.runIDs.map(\.rawValue), directories: night.directories.map(\.path),
                startedAt: night.startedAt, finishedAt: night.finishedAt, seed: night.seed,
                harnessVersion: night.harnessVersion,
                provenance: night.provenance, trials: night.trialCount, corruptLines: night.corruptLineCount,
                report: relative(night.directory, ReportFiles.htmlFileName))
        }
        cells = history.cells.map { cell in
            Cell(
                scenario: cell.scenario, cellID: cell.cellID, cellValues: cell.cellValues, engine: cell.engine,
                classification: cell.trend.classification, explanation: history.explanation(of: cell),
                latest: cell.trend.latest, window: cell.trend.window, pValue: cell.trend.pValue,
                adjustedPValue: cell.trend.adjustedPValue,
                expectation: cell.expectation,
                entries: cell.entries.map { entry in
                    entry.map {
                        Entry(
                            passes: $0.passes, fails: $0.fails, timeouts: $0.timeouts, errors: $0.errors,
                            successRate: $0.successRate,
                            skipped: $0.skippedReason, topSignature: $0.topSignature,
                            expectationHolds: $0.expectationHolds)
                    }
                })
        }
        signatures = history.signatures.map { signature in
            let night = history.nights[signature.firstNight]
            return Signature(
                scenario: signature.scenario, outcome: signature.outcome, signature: signature.signature,
                firstNight: signature.firstNight, firstRunID: night.runID.rawValue, firstStartedAt: night.startedAt,
                lastNight: signature.lastNight, nights: signature.nightCount, count: signature.count,
                cells: signature.cells,
                exampleTrialID: signature.exampleTrialID,
                exampleArtifacts: signature.exampleArtifactsPath.map {
                    relative(signature.exampleRunDirectory, $0 + "/")
                })
        }
        scenarioFileChanges = history.scenarioChanges.map {
            FileChange(
                scenario: $0.scenario, night: $0.night, runID: history.nights[$0.night].runID.rawValue,
                previousSHA256: $0.previousSHA256, sha256: $0.sha256)
        }
        warnings = history.warnings
    }

    /// The document as key-sorted JSON on one line (a year of nights is megabytes: indentation
    /// would add a third).
    package func encoded() throws(ResultsError) -> Data {
        do {
            return try ResultsJSON.encoder(pretty: false).encode(self)
        } catch {
            throw .cannotEncode("history", reason: "\(error)")
        }
    }
}
