import Foundation

/// Counts trial records one at a time, in any order, into a `Tally`.
///
/// A summary of a long run reads trials.jsonl record by record (`ResultStore.forEachTrial`)
/// into an accumulator instead of holding every record: what it keeps grows with the cells
/// and distinct signatures, plus, per trial, its phase durations (for exact per-cell medians)
/// and its start and outcome (for `FollowingTrials`): a few dozen bytes.
package struct TallyAccumulator: TrialAccumulating {
    private var scenarios: [String: ScenarioState] = [:]

    package init() {}

    /// Counts one record.
    package mutating func add(_ record: TrialRecord) {
        add(TalliedTrial(record))
    }

    /// Counts one record's tallied fields.
    mutating func add(_ record: TalliedTrial) {
        let position = PlanPosition(record)
        let key = CellKey(cellID: record.cellID, engine: record.engine)
        scenarios[record.scenario, default: ScenarioState(first: position)].add(record, key: key, at: position)
    }

    /// Adds what another accumulator counted (records of the same run read in parallel).
    mutating func merge(_ other: TallyAccumulator) {
        for (name, state) in other.scenarios {
            if let mine = scenarios[name] {
                scenarios[name] = mine.merged(with: state)
            } else {
                scenarios[name] = state
            }
        }
    }

    /// The tally of the records counted so far: scenarios and cells in plan order (the order
    /// of their first trial), each cell checked against its own expectation.
    ///
    /// - Parameter expectations: The run's expectations, per scenario and cell.
    package func tally(expectations: RunExpectations = RunExpectations()) -> Tally {
        Tally(
            scenarios: scenarios.sorted { $0.value.first < $1.value.first }.map { name, state in
                let cells = state.cells.values.sorted { $0.first < $1.first }.map { cell in
                    CellTally(cell, expectation: expectations.expectation(scenario: name, cellID: cell.cellID))
                }
                return ScenarioTally(name: name, expectation: expectations.expectation(scenario: name), cells: cells)
            })
    }

    /// The tally, with one expectation per scenario.
    /// - Parameter expectations: Each scenario's `expect.success-rate`, by scenario name.
    package func tally(expectations: [String: SuccessRateExpectation]) -> Tally {
        tally(expectations: RunExpectations(byScenario: expectations))
    }

    /// Where a trial stands in the plan: by sequence, then trial id.
    struct PlanPosition: Comparable, Sendable {
        let sequence: Int
        let trialID: String

        init(_ record: TalliedTrial) {
            sequence = record.sequence
            trialID = record.trialID
        }

        static func < (lhs: PlanPosition, rhs: PlanPosition) -> Bool {
            (lhs.sequence, lhs.trialID) < (rhs.sequence, rhs.trialID)
        }
    }

    private struct CellKey: Hashable, Sendable {
        let cellID: String
        let engine: String
    }

    private struct ScenarioState: Sendable {
        var first: PlanPosition
        var cells: [CellKey: CellState] = [:]

        mutating func add(_ record: TalliedTrial, key: CellKey, at position: PlanPosition) {
            first = min(first, position)
            cells[key, default: CellState(record, at: position)].add(record, at: position)
        }

        func merged(with other: ScenarioState) -> ScenarioState {
            var merged = self
            merged.first = min(first, other.first)
            merged.cells.merge(other.cells) { $0.merged(with: $1) }
            return merged
        }
    }

    /// One cell on one engine, as counted so far.
    struct CellState: Sendable {
        private(set) var first: PlanPosition
        /// The matrix values of the cell's first trial.
        private(set) var cellValues: CellValues
        let cellID: String
        let engine: String
        private(set) var outcomes: [TrialOutcome: Int] = [:]
        private(set) var signatures = SignatureCounter()
        private(set) var phases = PhaseSamples()
        /// When each trial started and how it ended, for `FollowingTrials`.
        private(set) var timeline: [FollowingTrials.Start] = []

        init(_ record: TalliedTrial, at position: PlanPosition) {
            first = position
            cellValues = record.cellValues
            cellID = record.cellID
            engine = record.engine
        }

        func merged(with other: CellState) -> CellState {
            var merged = other.first < first ? other : self
            merged.outcomes = outcomes.merging(other.outcomes, uniquingKeysWith: +)
            merged.signatures = signatures.merged(with: other.signatures)
            merged.phases = phases.merged(with: other.phases)
            merged.timeline = timeline + other.timeline
            return merged
        }

        mutating func add(_ record: TalliedTrial, at position: PlanPosition) {
            if position < first {
                first = position
                cellValues = record.cellValues
            }
            outcomes[record.outcome, default: 0] += 1
            // A pass has a signature only when it is a finding of its own (a misplaced inner
            // container, `inner.check-placement`); it is listed, and still counts as a pass.
            if record.outcome != .pass || record.signature != nil { signatures.add(record, at: position) }
            phases.add(record.phaseDurations)
            timeline.append(
                FollowingTrials.Start(startedAt: record.startedAt, sequence: record.sequence, outcome: record.outcome))
        }

        var trials: Int { outcomes.values.reduce(0, +) }

        func count(_ outcome: TrialOutcome) -> Int { outcomes[outcome] ?? 0 }
    }
}

/// Signatures of the trials of a cell that did not pass, counted by (outcome, signature).
struct SignatureCounter: Sendable {
    private struct Key: Hashable, Sendable {
        let outcome: TrialOutcome
        let signature: String
    }

    private var counts: [Key: (count: Int, example: TallyAccumulator.PlanPosition)] = [:]

    mutating func add(_ record: TalliedTrial, at position: TallyAccumulator.PlanPosition) {
        let key = Key(outcome: record.outcome, signature: record.signature ?? SignatureCount.missing)
        let known = counts[key]
        counts[key] = ((known?.count ?? 0) + 1, known.map { min($0.example, position) } ?? position)
    }

    func merged(with other: SignatureCounter) -> SignatureCounter {
        var merged = self
        merged.counts.merge(other.counts) { ($0.count + $1.count, min($0.example, $1.example)) }
        return merged
    }

    /// Most frequent first; ties by outcome, then signature, so the order never depends on
    /// the order the records came in. The example is the earliest trial in plan order.
    var sorted: [SignatureCount] {
        counts.map { key, value in
            SignatureCount(
                signature: key.signature, outcome: key.outcome, count: value.count,
                exampleTrialID: value.example.trialID)
        }.sorted {
            ($1.count, $0.outcome.rank, $0.signature) < ($0.count, $1.outcome.rank, $1.signature)
        }
    }
}

/// Counts trial records one at a time; parts of trials.jsonl read at once merge
/// (`ResultStore.accumulateTrials`).
protocol TrialAccumulating: Sendable {
    init()
    mutating func add(_ trial: TalliedTrial)
    mutating func merge(_ other: Self)
}

/// The fields of a trial record summaries and reports read. They decode only these from
/// trials.jsonl (`ResultStore.accumulateTrials`): about half of a record's values, and half
/// the time, since JSON decoding costs by the value.
struct TalliedTrial: Decodable, Sendable {
    var trialID: String
    var sequence: Int
    var scenario: String
    var cellID: String
    var cellValues: CellValues
    var engine: String
    var outcome: TrialOutcome
    var signature: String?
    var startedAt: Date
    var durationSeconds: Double
    var phaseDurations: PhaseDurations
    var artifactsPath: String?

    init(_ record: TrialRecord) {
        trialID = record.trialID
        sequence = record.sequence
        scenario = record.scenario
        cellID = record.cellID
        cellValues = record.cellValues
        engine = record.engine
        outcome = record.outcome
        signature = record.signature
        startedAt = record.startedAt
        durationSeconds = record.durationSeconds
        phaseDurations = record.phaseDurations
        artifactsPath = record.artifactsPath
    }
}
