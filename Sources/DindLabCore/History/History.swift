package import Foundation

/// Many nights of a nightly matrix read together (`dindlab history`): one row per cell, one
/// column per night, each cell classified by how its latest night compares with the nights
/// before it, and every failure signature with the night it first appeared.
///
/// Made by `HistoryReader` from run folders; rendered by `HistoryReport` (terminal, Markdown),
/// `HistoryHTML` and `HistoryJSON`.
package struct History: Sendable {
    /// The nights, oldest first (a night's `index` is its position here).
    package let nights: [HistoryNight]
    /// Every cell seen in any night, by scenario name, then in matrix order.
    package let cells: [HistoryCell]
    /// Every signature of a trial that did not pass, newest first seen first.
    package let signatures: [HistorySignature]
    /// Per scenario, the nights on which its file's sha256 differed from the night before.
    package let scenarioChanges: [ScenarioFileChange]
    /// How many nights before the latest one a cell's latest night is compared with.
    package let window: Int
    /// True when cells are told apart by engine too (some night ran on several engines).
    package let showsEngines: Bool
    /// What reading found worth saying that did not stop it: unreadable manifests, lines of
    /// trials.jsonl that are not records, runs read through the merged run that holds them.
    package let warnings: [String]

    /// The significance level a cell is called regressed or recovered at, after Holm's
    /// adjustment over every tested cell (as `compare` marks differences).
    package static let significanceLevel = Comparison.significanceLevel

    /// Fewer counted trials than this over a cell's recent nights do not make it flaky on their
    /// own: the latest night alone then decides.
    package static let flakyMinimumTrials = 10

    /// The default number of earlier nights a latest night is compared with: a week.
    package static let defaultWindow = 7

    init(
        nights: [HistoryNight], cells: [HistoryCell], signatures: [HistorySignature],
        scenarioChanges: [ScenarioFileChange],
        window: Int, showsEngines: Bool, warnings: [String]
    ) {
        self.nights = nights
        self.cells = cells
        self.signatures = signatures
        self.scenarioChanges = scenarioChanges
        self.window = window
        self.showsEngines = showsEngines
        self.warnings = warnings
    }

    /// The newest night; nil only for an empty history.
    package var latestNight: HistoryNight? { nights.last }

    /// The cells that regressed, in row order.
    package var regressedCells: [HistoryCell] { cells.filter { $0.trend.classification == .regressed } }

    /// How many cells are in each class.
    package var classCounts: [(classification: HistoryClass, count: Int)] {
        HistoryClass.allCases.compactMap { kind in
            let count = cells.count { $0.trend.classification == kind }
            return count > 0 ? (kind, count) : nil
        }
    }

    /// The scenario names, in row order.
    package var scenarioNames: [String] {
        cells.reduce(into: [String]()) { if $0.last != $1.scenario { $0.append($1.scenario) } }
    }

    /// Signatures first seen in one of the `count` latest nights (the latest night and its window by default).
    package func recentSignatures(nights count: Int? = nil) -> [HistorySignature] {
        let first = nights.count - (count ?? window + 1)
        return signatures.filter { $0.firstNight >= first }
    }

    /// The file changes of one scenario.
    package func changes(of scenario: String) -> [ScenarioFileChange] {
        scenarioChanges.filter { $0.scenario == scenario }
    }

    /// One sentence on why a cell has its class, with the counts and the test it was judged by.
    package func explanation(of cell: HistoryCell) -> String {
        let trend = cell.trend
        let latestText = trend.latest.map(\.failedText) ?? ""
        let windowText =
            trend.window.map { "\($0.failedText) in the \($0.nights == 1 ? "night" : "\($0.nights) nights") before" }
            ?? ""
        let test = trend.pValue.map { p in
            "Fisher p = \(ComparisonReport.pText(p)), Holm-adjusted \(ComparisonReport.pText(trend.adjustedPValue ?? p)) over \(trend.testedCells) cell\(trend.testedCells == 1 ? "" : "s")"
        }
        switch trend.classification {
        case .regressed, .recovered:
            return "Latest night \(latestText), against \(windowText) (\(test ?? "not tested"))."
        case .new:
            return "First seen in the latest night: \(latestText)."
        case .gone:
            let last = trend.lastSeenNight.map { " (last seen \(nights[$0].dateLabel))" } ?? ""
            return "Not in the latest night\(last)."
        case .noRate:
            let reason = cell.entries.last??.skippedReason.map { "skipped: \($0)" } ?? "every trial was an error"
            return "The latest night counted no trial of the cell (\(reason))."
        case .passing, .failing, .flaky:
            var text = "Latest night \(latestText)"
            if !windowText.isEmpty { text += ", \(windowText)" }
            if let test { text += " (\(test))" }
            return text + "."
        }
    }

    /// Each night's column header, by night index: `12-05 03:17`, with seconds where two nights
    /// started in the same minute, and the night's number where even those agree.
    package var columnLabels: [String] {
        let short = nights.map(\.shortLabel)
        if Set(short).count == short.count { return short }
        let long = nights.map {
            String(Timestamp.format($0.startedAt).dropFirst(5).prefix(14)).replacingOccurrences(of: "T", with: " ")
        }
        if Set(long).count == long.count { return long }
        return long.enumerated().map { "\($1) #\($0 + 1)" }
    }

    /// A cell's name in tables: its cell id, with its engine when cells are told apart by engine.
    package func name(of cell: HistoryCell) -> String {
        cell.engine.map { "\(cell.cellID) [\($0)]" } ?? cell.cellID
    }
}

/// One column of the history: one night's run. The shards of one plan that were never merged
/// make one night together; a merged run stands for the shards it was merged from.
package struct HistoryNight: Sendable, Hashable {
    /// Its position in `History.nights`, oldest first.
    package let index: Int
    /// The run folders read for this night (one, or one per shard).
    package let directories: [URL]
    /// Their run ids, in the same order.
    package let runIDs: [RunID]
    /// When the (first) run started.
    package let startedAt: Date
    /// When the (last) run finished; nil while one is still running.
    package let finishedAt: Date?
    package let seed: UInt64?
    /// The dindlab versions that made the runs.
    package let harnessVersion: String
    /// e.g. "merged from 3 shards", "shards 1/3, 3/3 (not merged)"; nil for a plain run.
    package let provenance: String?
    /// Trial records read.
    package let trialCount: Int
    /// Lines of trials.jsonl that were not records (skipped, and said so in the warnings).
    package let corruptLineCount: Int
    /// Each scenario's file digest that night, by scenario name (where the manifest says which
    /// file holds which scenario).
    package let scenarioDigests: [String: String]

    /// The folder whose report.html the night links to: the run's own, or the first shard's.
    package var directory: URL { directories[0] }

    /// The run id the night is known by.
    package var runID: RunID { runIDs[0] }

    /// `12-05 03:17` (UTC), short enough for a column header.
    package var shortLabel: String {
        let text = Timestamp.format(startedAt)
        return String(text.dropFirst(5).prefix(11)).replacingOccurrences(of: "T", with: " ")
    }

    /// `2026-12-05 03:17 UTC`.
    package var dateLabel: String {
        String(Timestamp.format(startedAt).prefix(16)).replacingOccurrences(of: "T", with: " ") + " UTC"
    }
}

/// One cell in one night.
package struct HistoryEntry: Sendable, Hashable {
    package var passes = 0
    package var fails = 0
    package var timeouts = 0
    package var errors = 0
    /// Why the cell could not run that night (its outer image missing on its engine); nil when it ran.
    package var skippedReason: String?
    /// The night's most frequent signature of the cell's trials that did not pass.
    package var topSignature: String?
    /// The expectation the cell had that night, from the night's manifest.
    package var expectation: SuccessRateExpectation?

    package init(
        passes: Int = 0, fails: Int = 0, timeouts: Int = 0, errors: Int = 0, skippedReason: String? = nil,
        topSignature: String? = nil, expectation: SuccessRateExpectation? = nil
    ) {
        self.passes = passes
        self.fails = fails
        self.timeouts = timeouts
        self.errors = errors
        self.skippedReason = skippedReason
        self.topSignature = topSignature
        self.expectation = expectation
    }

    /// Every trial recorded.
    package var trials: Int { passes + fails + timeouts + errors }
    /// The trials the success rate counts: passes, fails and timeouts (errors are left out).
    package var counted: Int { passes + fails + timeouts }
    /// Fails and timeouts.
    package var failures: Int { fails + timeouts }
    /// passes / counted; nil when nothing was counted.
    package var successRate: Double? { counted > 0 ? Double(passes) / Double(counted) : nil }
    /// The Wilson 95% interval of the success rate.
    package var interval: ProportionInterval? { ProportionInterval.wilson(successes: passes, trials: counted) }
    /// The night's expectation judged on its observed rate; nil without an expectation or a rate.
    package var expectationHolds: Bool? {
        guard let expectation, let rate = successRate else { return nil }
        return expectation.holds(rate: rate)
    }

    /// Adds another entry's counts (the same cell in two shards of one night).
    mutating func add(_ other: HistoryEntry) {
        passes += other.passes
        fails += other.fails
        timeouts += other.timeouts
        errors += other.errors
        if skippedReason == nil, counted == 0 { skippedReason = other.skippedReason }
        topSignature = topSignature ?? other.topSignature
        expectation = expectation ?? other.expectation
    }
}

/// Passes and failures pooled over some nights.
package struct HistoryCounts: Sendable, Hashable, Codable {
    package var passes: Int
    /// Fails and timeouts.
    package var failures: Int
    /// How many nights were pooled.
    package var nights: Int

    package init(passes: Int = 0, failures: Int = 0, nights: Int = 0) {
        self.passes = passes
        self.failures = failures
        self.nights = nights
    }

    init(_ entries: [HistoryEntry]) {
        self.init(
            passes: entries.reduce(0) { $0 + $1.passes }, failures: entries.reduce(0) { $0 + $1.failures },
            nights: entries.count)
    }

    package var counted: Int { passes + failures }
    /// failures / counted; nil when nothing was counted.
    package var failureRate: Double? { counted > 0 ? Double(failures) / Double(counted) : nil }
    /// `6 of 10 failed`.
    package var failedText: String { "\(failures) of \(counted) failed" }
}

/// A cell across the nights.
package struct HistoryCell: Sendable {
    package let scenario: String
    package let cellID: String
    package let cellValues: CellValues
    /// The engine, when cells are told apart by engine (`History.showsEngines`); nil otherwise.
    package let engine: String?
    /// One entry per night, oldest first; nil where the cell was neither run nor skipped.
    package let entries: [HistoryEntry?]
    /// How the latest night compares with the ones before.
    package internal(set) var trend: CellTrend

    /// The cell's latest expectation.
    package var expectation: SuccessRateExpectation? {
        entries.reversed().lazy.compactMap { $0?.expectation }.first
    }
}

/// What a cell's history says: its class, the counts it was judged on, and the test.
package struct CellTrend: Sendable, Hashable {
    package var classification: HistoryClass
    /// The latest night's counts; nil when the cell was not in it.
    package var latest: HistoryCounts?
    /// The pooled counts of the earlier nights the latest one is compared with (up to
    /// `History.window` nights in which the cell had counted trials); nil when there were none.
    package var window: HistoryCounts?
    /// Fisher's exact two-sided p-value of the latest night against the window; nil when not tested.
    package var pValue: Double?
    /// The p-value after Holm's adjustment over every tested cell of the history.
    package var adjustedPValue: Double?
    /// How many cells the adjustment was over.
    package var testedCells: Int = 0
    /// The index of the last night that had the cell, for `gone`.
    package var lastSeenNight: Int?
}

/// How a cell's history reads; see README "History across nights" for the rules.
package enum HistoryClass: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The latest night failed significantly more often than the window before it.
    case regressed
    /// No pass in the latest night and its window.
    case failing
    /// Passes and failures both, in the latest night and its window.
    case flaky
    /// First seen in the latest night.
    case new
    /// The latest night failed significantly less often than the window before it.
    case recovered
    /// No failure in the latest night and its window.
    case passing
    /// Seen before, but not in the latest night.
    case gone
    /// In the latest night, but without a counted trial: skipped, or only errors.
    case noRate = "no-rate"

    package var description: String { rawValue == "no-rate" ? "no rate" : rawValue }
}

/// A signature of trials that did not pass, across the history.
package struct HistorySignature: Sendable, Hashable {
    package let scenario: String
    package let outcome: TrialOutcome
    package let signature: String
    /// The night it was first seen (an index into `History.nights`).
    package let firstNight: Int
    /// The night it was last seen.
    package let lastNight: Int
    /// In how many nights it was seen.
    package let nightCount: Int
    /// How many trials had it, over all nights.
    package let count: Int
    /// The cells (their names in tables) that had it, in row order.
    package let cells: [String]
    /// The first trial with it in its first night, and that trial's artifacts folder relative to
    /// the run folder (nil when it kept none).
    package let exampleTrialID: String
    package let exampleArtifactsPath: String?
    /// The run folder the example trial is in.
    package let exampleRunDirectory: URL
}

/// A scenario whose file differed from the night before (by sha256).
package struct ScenarioFileChange: Sendable, Hashable {
    package let scenario: String
    /// The night the new file was first used.
    package let night: Int
    package let previousSHA256: String
    package let sha256: String
}
