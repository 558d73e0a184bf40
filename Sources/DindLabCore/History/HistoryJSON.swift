public import Foundation

/// `dindlab history --json F`: the whole history for dashboards. Nights oldest first; each
/// cell's `entries` has one element per night, in the same order, `null` where the cell was
/// neither run nor skipped. Times are ISO 8601 in UTC, as in every results file.
public struct HistoryJSON: Sendable, Codable {
    public struct Night: Sendable, Codable {
        public var index: Int
        public var runIDs: [String]
        public var directories: [String]
        public var startedAt: Date
        public var finishedAt: Date?
        public var seed: UInt64?
        public var harnessVersion: String
        public var provenance: String?
        public var trials: Int
        public var corruptLines: Int
        /// The night's report.html, relative to the JSON file.
        public var report: String
    }

    public struct Entry: Sendable, Codable {
        public var passes: Int
        public var fails: Int
        public var timeouts: Int
        public var errors: Int
        public var successRate: Double?
        /// Why the cell could not run that night.
        public var skipped: String?
        public var topSignature: String?
        /// The night's expectation (the cell's `expectation` unless the scenario changed it) judged on its rate.
        public var expectationHolds: Bool?
    }

    public struct Cell: Sendable, Codable {
        public var scenario: String
        public var cellID: String
        public var cellValues: CellValues
        public var engine: String?
        public var classification: HistoryClass
        public var explanation: String
        public var latest: HistoryCounts?
        public var window: HistoryCounts?
        public var pValue: Double?
        public var adjustedPValue: Double?
        public var expectation: SuccessRateExpectation?
        public var entries: [Entry?]
    }

    public struct Signature: Sendable, Codable {
        public var scenario: String
        public var outcome: TrialOutcome
        public var signature: String
        public var firstNight: Int
        public var firstRunID: String
        public var firstStartedAt: Date
        public var lastNight: Int
        public var nights: Int
        public var count: Int
        public var cells: [String]
        public var exampleTrialID: String
        /// The example trial's artifacts folder, relative to the JSON file; nil when it kept none.
        public var exampleArtifacts: String?
    }

    public struct FileChange: Sendable, Codable {
        public var scenario: String
        public var night: Int
        public var runID: String
        public var previousSHA256: String
        public var sha256: String
    }

    public var generatedAt: Date
    public var harnessVersion: String
    public var window: Int
    public var significanceLevel: Double
    public var nights: [Night]
    public var cells: [Cell]
    public var signatures: [Signature]
    public var scenarioFileChanges: [FileChange]
    public var warnings: [String]

    /// - Parameters:
    ///   - history: The history.
    ///   - location: The folder the JSON file is written to; paths are relative from there.
    ///   - generatedAt: When it was made.
    public init(_ history: History, location: URL, generatedAt: Date = Date()) {
        func relative(_ directory: URL, _ tail: String) -> String {
            RelativePath.from(location, to: directory) + tail
        }
        self.generatedAt = Timestamp.rounded(generatedAt)
        harnessVersion = Harness.version
        window = history.window
        significanceLevel = History.significanceLevel
        nights = history.nights.map { night in
            Night(index: night.index, runIDs: night.runIDs.map(\.rawValue), directories: night.directories.map(\.path),
                  startedAt: night.startedAt, finishedAt: night.finishedAt, seed: night.seed, harnessVersion: night.harnessVersion,
                  provenance: night.provenance, trials: night.trialCount, corruptLines: night.corruptLineCount,
                  report: relative(night.directory, ReportFiles.htmlFileName))
        }
        cells = history.cells.map { cell in
            Cell(scenario: cell.scenario, cellID: cell.cellID, cellValues: cell.cellValues, engine: cell.engine,
                 classification: cell.trend.classification, explanation: history.explanation(of: cell),
                 latest: cell.trend.latest, window: cell.trend.window, pValue: cell.trend.pValue, adjustedPValue: cell.trend.adjustedPValue,
                 expectation: cell.expectation,
                 entries: cell.entries.map { entry in
                     entry.map {
                         Entry(passes: $0.passes, fails: $0.fails, timeouts: $0.timeouts, errors: $0.errors, successRate: $0.successRate,
                               skipped: $0.skippedReason, topSignature: $0.topSignature, expectationHolds: $0.expectationHolds)
                     }
                 })
        }
        signatures = history.signatures.map { signature in
            let night = history.nights[signature.firstNight]
            return Signature(scenario: signature.scenario, outcome: signature.outcome, signature: signature.signature,
                             firstNight: signature.firstNight, firstRunID: night.runID.rawValue, firstStartedAt: night.startedAt,
                             lastNight: signature.lastNight, nights: signature.nightCount, count: signature.count, cells: signature.cells,
                             exampleTrialID: signature.exampleTrialID,
                             exampleArtifacts: signature.exampleArtifactsPath.map { relative(signature.exampleRunDirectory, $0 + "/") })
        }
        scenarioFileChanges = history.scenarioChanges.map {
            FileChange(scenario: $0.scenario, night: $0.night, runID: history.nights[$0.night].runID.rawValue,
                       previousSHA256: $0.previousSHA256, sha256: $0.sha256)
        }
        warnings = history.warnings
    }

    /// The document as key-sorted JSON on one line (a year of nights is megabytes: indentation
    /// would add a third).
    public func encoded() throws(ResultsError) -> Data {
        do {
            return try ResultsJSON.encoder(pretty: false).encode(self)
        } catch {
            throw .cannotEncode("history", reason: "\(error)")
        }
    }
}
