package import Foundation

/// What every report of a run is made from: the manifest and the trial records, tallied and
/// judged. Nothing else is read (no scenario file, no engine), so a report can be made later,
/// elsewhere, from a copied run folder.
package struct RunReport: Sendable {
    /// The run folder, `results/<run id>/`; links to artifacts are relative to it.
    package let directory: URL
    package let manifest: RunManifest
    /// The tally, with each cell's expectation from the manifest, in matrix order.
    package let summary: RunSummary
    /// Expectations are judged by the 95% interval rather than the observed rate.
    package let strict: Bool
    /// The exit status the run earns.
    package let verdict: RunVerdict
    /// How many trial records the run has.
    package let trialCount: Int
    /// Planned trials without a record; nil when the manifest does not say how many were planned,
    /// for a shard (compared with the whole plan only once merged), and for a run a stop
    /// condition ended on purpose.
    package let missingTrials: Int?
    private let artifactsByTrial: [String: String]
    private let secondsByCell: [CellKey: Double]

    private struct CellKey: Hashable {
        let scenario: String
        let cellID: String
        let engine: String
    }

    /// - Parameters:
    ///   - directory: The run folder.
    ///   - manifest: Its manifest.
    ///   - log: Its trial records and the lines of trials.jsonl that are not records.
    ///   - strict: Judge expectations by the 95% interval.
    ///   - generatedAt: When the summary is made.
    package init(directory: URL, manifest: RunManifest, log: TrialLog, strict: Bool, generatedAt: Date = Date()) {
        var accumulator = ReportAccumulator()
        for record in log.records { accumulator.add(TalliedTrial(record)) }
        self.init(
            directory: directory, manifest: manifest, accumulator: accumulator, corruptLines: log.corruptLines,
            strict: strict, generatedAt: generatedAt)
    }

    private init(
        directory: URL, manifest: RunManifest, accumulator: ReportAccumulator, corruptLines: [CorruptLine],
        strict: Bool, generatedAt: Date
    ) {
        self.directory = directory
        self.manifest = manifest
        self.strict = strict
        trialCount = accumulator.trials
        let expectations = manifest.expectations ?? RunExpectations()
        let skipped = manifest.skippedCells ?? []
        var cellIndices = accumulator.cellIndices
        for cell in skipped where cellIndices["\(cell.scenario)/\(cell.cellID)"] == nil {
            cellIndices["\(cell.scenario)/\(cell.cellID)"] = cell.cellIndex
        }
        summary = RunSummary(
            runID: manifest.runID,
            tally: accumulator.tally.tally(expectations: expectations)
                .adding(skipped: skipped, expectations: expectations)
                .keepingFollowingTrials(for: manifest.cellStateScenarios)
                .inMatrixOrder(cellIndices: cellIndices),
            corruptLines: corruptLines, generatedAt: generatedAt)
        missingTrials =
            manifest.shard == nil && manifest.stoppedEarly != true
            ? manifest.plannedTrials.map { max(0, $0 - accumulator.trials - manifest.skippedTrialCount) } : nil
        verdict = RunVerdict(summary, strict: strict, missingTrials: missingTrials ?? 0)
        artifactsByTrial = accumulator.artifacts.mapValues(\.path)
        secondsByCell = accumulator.seconds
    }

    /// Reads a run folder's manifest.json and trials.jsonl.
    ///
    /// The records are read as a stream and not kept (`ResultStore.accumulateTrials`), so a run
    /// of 100,000 trials is reported in the memory of its cells.
    /// - Parameters:
    ///   - directory: `results/<run id>/`.
    ///   - strict: Judge expectations by the 95% interval.
    /// - Returns: The report's contents.
    /// - Throws: `ResultsError` when the folder is not a run's or its manifest cannot be read.
    package static func load(runDirectory directory: URL, strict: Bool) async throws(ResultsError) -> RunReport {
        let store = try ResultStore(opening: directory)
        let manifest = try await store.readManifest()
        let (accumulator, corrupt) = try await store.accumulateTrials(into: ReportAccumulator.self)
        return RunReport(
            directory: directory, manifest: manifest, accumulator: accumulator, corruptLines: corrupt,
            strict: strict, generatedAt: Date())
    }

    /// What a report needs of the records, counted one at a time.
    private struct ReportAccumulator: TrialAccumulating {
        var tally = TallyAccumulator()
        var trials = 0
        /// Each trial's artifacts folder, from the earliest record in plan order with that id.
        var artifacts: [String: (position: TallyAccumulator.PlanPosition, path: String)] = [:]
        var seconds: [CellKey: Double] = [:]
        /// "scenario/cell id" -> the cell's index in its matrix, from its trial ids.
        var cellIndices: [String: Int] = [:]

        mutating func add(_ trial: TalliedTrial) {
            tally.add(trial)
            trials += 1
            if let path = trial.artifactsPath {
                let position = TallyAccumulator.PlanPosition(trial)
                if artifacts[trial.trialID].map({ position < $0.position }) ?? true {
                    artifacts[trial.trialID] = (position, path)
                }
            }
            seconds[CellKey(scenario: trial.scenario, cellID: trial.cellID, engine: trial.engine), default: 0] +=
                trial.durationSeconds
            let cell = "\(trial.scenario)/\(trial.cellID)"
            if cellIndices[cell] == nil, let index = PlannedTrial.cellIndex(ofTrialID: trial.trialID) {
                cellIndices[cell] = index
            }
        }

        mutating func merge(_ other: ReportAccumulator) {
            tally.merge(other.tally)
            trials += other.trials
            artifacts.merge(other.artifacts) { $0.position < $1.position ? $0 : $1 }
            seconds.merge(other.seconds, uniquingKeysWith: +)
            cellIndices.merge(other.cellIndices) { first, _ in first }
        }
    }

    /// The judgement of a cell.
    package func judgement(of cell: CellTally) -> CellJudgement {
        CellJudgement(cell, strict: strict)
    }

    /// Every cell with its scenario's name, in report order.
    package var cells: [(scenario: String, cell: CellTally)] {
        summary.scenarios.flatMap { scenario in scenario.cells.map { (scenario.name, $0) } }
    }

    /// Whether the run used more than one engine, so cells are shown with theirs.
    package var showsEngines: Bool {
        Set(summary.scenarios.flatMap { $0.cells.map(\.engine) }).count > 1
    }

    /// A cell's name in reports: its matrix values, and its engine when the run used several.
    package func name(of cell: CellTally) -> String {
        showsEngines ? "\(cell.cellID) [\(cell.engine)]" : cell.cellID
    }

    /// The seconds a cell's trials took, summed.
    package func seconds(of cell: CellTally, in scenario: String) -> Double {
        secondsByCell[CellKey(scenario: scenario, cellID: cell.cellID, engine: cell.engine)] ?? 0
    }

    /// The artifacts folder of a trial relative to the run folder (`artifacts/<trial id>`), or nil
    /// when the trial kept none.
    package func artifactsPath(of trialID: String) -> String? {
        artifactsByTrial[trialID]
    }

    /// The failed expectations, each with its scenario and judgement, in report order.
    package var failedExpectations: [(scenario: String, cell: CellTally, judgement: CellJudgement)] {
        cells.compactMap { entry in
            let judgement = judgement(of: entry.cell)
            return judgement.verdict == .expectationFailed ? (entry.scenario, entry.cell, judgement) : nil
        }
    }

    /// The cells that could not be judged, in report order: every trial an error, or skipped
    /// with an expectation.
    package var unjudgedCells: [(scenario: String, cell: CellTally, judgement: CellJudgement)] {
        cells.compactMap { entry in
            let judgement = judgement(of: entry.cell)
            return judgement.preventsJudgement(of: entry.cell) ? (entry.scenario, entry.cell, judgement) : nil
        }
    }

    /// The cells no trial of which ran (their outer image is not on their engine), in report
    /// order, those with an expectation included.
    package var skippedCells: [(scenario: String, cell: CellTally, judgement: CellJudgement)] {
        cells.compactMap { entry in
            let judgement = judgement(of: entry.cell)
            return judgement.verdict == .skipped ? (entry.scenario, entry.cell, judgement) : nil
        }
    }

    /// A cell's most frequent signatures, as the terminal table lists them.
    package func topSignatures(of cell: CellTally, limit: Int = 3) -> [SignatureCount] {
        SummaryTable.topSignatures(of: cell, limit: limit)
    }

    /// One line about the run: id, trials, seed, shard or merge.
    var runLine: String {
        var parts = ["\(trialCount) trial\(trialCount == 1 ? "" : "s")"]
        if let shard = manifest.shard {
            parts.append("shard \(shard)" + (manifest.plannedTrials.map { " of a \($0)-trial plan" } ?? ""))
        } else if let planned = manifest.plannedTrials, planned != trialCount {
            parts[0] += " of \(planned) planned"
        }
        if let skipped = summary.skippedTrials, skipped > 0 {
            let cells = summary.skippedCells ?? 0
            parts.append("\(skipped) skipped (\(cells) cell\(cells == 1 ? "" : "s") not run)")
        }
        if let sources = manifest.mergedFrom {
            parts.append("merged from \(sources.count) run\(sources.count == 1 ? "" : "s")")
        }
        if let seed = manifest.seed { parts.append("seed \(seed)") }
        parts.append("started \(Timestamp.format(manifest.startedAt))")
        if let finished = manifest.finishedAt { parts.append("finished \(Timestamp.format(finished))") }
        parts.append("dindlab \(manifest.harnessVersion)")
        if strict { parts.append("strict: expectations judged by the 95% interval") }
        return parts.joined(separator: " · ")
    }
}
