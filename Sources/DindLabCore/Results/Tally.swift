import Foundation

/// The counts of a run, per scenario and per cell: what `summary.json` and every
/// report show.
///
/// A cell's success rate is passes / (passes + fails + timeouts). Errors are left out
/// on purpose: an error is the harness or the engine failing (engine unreachable,
/// image missing), which says nothing about the system under test, so it neither
/// helps nor hurts a cell. A cell with only errors has no rate and no interval.
package struct Tally: Sendable, Hashable, Codable {
    package let scenarios: [ScenarioTally]

    /// Counts the records, with one expectation per scenario.
    /// - Parameters:
    ///   - records: Trial records, in any order.
    ///   - expectations: Each scenario's `expect.success-rate`, by scenario name.
    package init(records: some Sequence<TrialRecord>, expectations: [String: SuccessRateExpectation] = [:]) {
        self.init(records: records, expectations: RunExpectations(byScenario: expectations))
    }

    /// Counts the records; each cell is checked against its own expectation.
    /// - Parameters:
    ///   - records: Trial records, in any order.
    ///   - expectations: The run's expectations, per scenario and cell (as the manifest records them).
    package init(records: some Sequence<TrialRecord>, expectations: RunExpectations) {
        var accumulator = TallyAccumulator()
        for record in records { accumulator.add(record) }
        self = accumulator.tally(expectations: expectations)
    }

    /// A tally of scenarios counted elsewhere (`TallyAccumulator`), or put in another order.
    init(scenarios: [ScenarioTally]) {
        self.scenarios = scenarios
    }

    /// Every cell whose observed rate misses its scenario's expectation, in report order.
    package var violations: [ExpectationViolation] {
        scenarios.flatMap { scenario in
            scenario.cells.compactMap { cell -> ExpectationViolation? in
                guard let check = cell.expectation, check.rateHolds == false,
                    let rate = cell.successRate, let interval = cell.interval
                else { return nil }
                return ExpectationViolation(
                    scenario: scenario.name, cellID: cell.cellID, engine: cell.engine,
                    expectation: check.expectation, successRate: rate, interval: interval,
                    provenByInterval: check.intervalHolds == false)
            }
        }
    }
}

/// One scenario's cells.
package struct ScenarioTally: Sendable, Hashable, Codable {
    package let name: String
    /// The scenario's own expectation; a cell whose matrix sets another has it in its `expectation`.
    package let expectation: SuccessRateExpectation?
    package let cells: [CellTally]
}

/// One cell on one engine.
package struct CellTally: Sendable, Hashable, Codable {
    package let cellID: String
    package let cellValues: CellValues
    package let engine: String
    package let trials: Int
    package let passes: Int
    package let fails: Int
    package let timeouts: Int
    package let errors: Int
    /// passes / (passes + fails + timeouts); nil when that is 0 (no trial counted).
    package let successRate: Double?
    /// The Wilson 95 % interval of the success rate; nil when the rate is nil.
    package let interval: ProportionInterval?
    /// Distinct signatures of the trials that did not pass, most frequent first.
    package let signatures: [SignatureCount]
    /// The scenario's expectation checked on this cell; nil when it has none.
    package let expectation: ExpectationCheck?
    /// The trials that started after the cell's first failed or timed-out trial, and how many
    /// of them did not pass: with `isolation: cell`, whether one failure breaks the rest.
    /// nil when no trial failed, and for scenarios where it means nothing (`RunManifest.cellStateScenarios`).
    package internal(set) var afterFirstFailure: FollowingTrials?
    /// The median seconds of each phase over the cell's trials (`PhaseDurations.medians`);
    /// nil when no trial recorded phase durations, and in summaries written before it existed.
    package let phaseMedians: PhaseDurations?
    /// Trials of this cell the run did not start because it could not (the outer image is not
    /// on the engine), with the reason and what fixes it; nil when none were skipped.
    package internal(set) var skipped: SkippedTrials?

    init(_ cell: TallyAccumulator.CellState, expectation: SuccessRateExpectation?) {
        cellID = cell.cellID
        cellValues = cell.cellValues
        engine = cell.engine
        trials = cell.trials
        passes = cell.count(.pass)
        fails = cell.count(.fail)
        timeouts = cell.count(.timeout)
        errors = cell.count(.error)
        let counted = passes + fails + timeouts
        let rate = counted > 0 ? Double(passes) / Double(counted) : nil
        let interval = ProportionInterval.wilson(successes: passes, trials: counted)
        successRate = rate
        self.interval = interval
        signatures = cell.signatures.sorted
        afterFirstFailure = FollowingTrials(cell.timeline)
        let medians = cell.phases.medians
        phaseMedians = medians.isEmpty ? nil : medians
        self.expectation = expectation.map { expectation in
            ExpectationCheck(
                expectation: expectation,
                rateHolds: rate.map(expectation.holds(rate:)),
                intervalHolds: interval.map(expectation.holds(interval:)))
        }
    }

    /// A cell the run skipped entirely: no trial, no rate, the reason in `skipped`.
    init(skipped cell: RunManifest.SkippedCell, expectation: SuccessRateExpectation?) {
        cellID = cell.cellID
        cellValues = cell.cellValues ?? CellValues([])
        engine = cell.engine
        trials = 0
        passes = 0
        fails = 0
        timeouts = 0
        errors = 0
        successRate = nil
        interval = nil
        signatures = []
        afterFirstFailure = nil
        phaseMedians = nil
        skipped = SkippedTrials(trials: cell.trials, reason: cell.reason)
        self.expectation = expectation.map { ExpectationCheck(expectation: $0, rateHolds: nil, intervalHolds: nil) }
    }

    /// True when the run started none of the cell's trials (see `skipped`).
    package var isSkipped: Bool { skipped != nil && trials == 0 }
}

/// Planned trials of a cell that a run did not start, and why.
package struct SkippedTrials: Sendable, Hashable, Codable {
    /// How many of the cell's planned trials were skipped.
    package let trials: Int
    /// Why, with the command that fixes it (`the outer image ... is not on the engine; build
    /// it with ...`).
    package let reason: String
}

extension Tally {
    /// The tally with the cells a run skipped (`RunManifest.skippedCells`) in it: a cell that
    /// also has records gets the skipped count beside them; a cell without records is added
    /// at the end of its scenario (a scenario every cell of which was skipped is added too).
    ///
    /// - Parameters:
    ///   - skippedCells: The manifest's skipped cells.
    ///   - expectations: The run's expectations, for the cells added.
    /// - Returns: The tally with every skipped cell in it.
    package func adding(skipped skippedCells: [RunManifest.SkippedCell], expectations: RunExpectations) -> Tally {
        guard !skippedCells.isEmpty else { return self }
        var scenarios = self.scenarios
        for skipped in skippedCells {
            let index: Int
            if let existing = scenarios.firstIndex(where: { $0.name == skipped.scenario }) {
                index = existing
            } else {
                scenarios.append(
                    ScenarioTally(
                        name: skipped.scenario, expectation: expectations.expectation(scenario: skipped.scenario),
                        cells: []))
                index = scenarios.count - 1
            }
            var cells = scenarios[index].cells
            if let cellIndex = cells.firstIndex(where: { $0.cellID == skipped.cellID && $0.engine == skipped.engine }) {
                let earlier = cells[cellIndex].skipped
                cells[cellIndex].skipped = SkippedTrials(
                    trials: (earlier?.trials ?? 0) + skipped.trials, reason: earlier?.reason ?? skipped.reason)
            } else {
                cells.append(
                    CellTally(
                        skipped: skipped,
                        expectation: expectations.expectation(scenario: skipped.scenario, cellID: skipped.cellID)))
            }
            scenarios[index] = ScenarioTally(
                name: scenarios[index].name, expectation: scenarios[index].expectation, cells: cells)
        }
        return Tally(scenarios: scenarios)
    }

    /// The tally with `afterFirstFailure` only for the scenarios named: where each trial has a
    /// fresh outer container and no fault is injected, trials after a failure are no different
    /// from the others, so that rate would only look like a finding.
    /// - Parameter scenarios: `RunManifest.cellStateScenarios`; nil keeps every scenario's.
    package func keepingFollowingTrials(for scenarios: [String]?) -> Tally {
        guard let scenarios else { return self }
        return Tally(
            scenarios: self.scenarios.map { scenario in
                guard !scenarios.contains(scenario.name) else { return scenario }
                let cells = scenario.cells.map { cell in
                    var cell = cell
                    cell.afterFirstFailure = nil
                    return cell
                }
                return ScenarioTally(name: scenario.name, expectation: scenario.expectation, cells: cells)
            })
    }

    /// The cells no trial of which ran, in report order.
    package var skippedCells: [(scenario: String, cell: CellTally)] {
        scenarios.flatMap { scenario in scenario.cells.filter(\.isSkipped).map { (scenario.name, $0) } }
    }
}

/// How often one signature occurred in a cell.
package struct SignatureCount: Sendable, Hashable, Codable {
    /// The signature; trials recorded without one count under `SignatureCount.missing`.
    package let signature: String
    /// fail, timeout or error: the same text under two outcomes counts twice.
    package let outcome: TrialOutcome
    package let count: Int
    /// The earliest trial (by sequence) with this signature, to open its artifacts.
    package let exampleTrialID: String

    /// What trials without a signature are counted as.
    package static let missing = "(no signature)"

    /// Groups records by (outcome, signature), most frequent first; ties by outcome,
    /// then signature, so the order never depends on input order.
    static func counting(_ records: [TrialRecord]) -> [SignatureCount] {
        var counter = SignatureCounter()
        for record in records.map(TalliedTrial.init) { counter.add(record, at: TallyAccumulator.PlanPosition(record)) }
        return counter.sorted
    }
}

/// A cell's expectation and whether it holds.
package struct ExpectationCheck: Sendable, Hashable, Codable {
    package let expectation: SuccessRateExpectation
    /// `expectation.holds(rate:)`; nil when the cell has no rate.
    package let rateHolds: Bool?
    /// `expectation.holds(interval:)`, the strict check; nil when the cell has no rate.
    package let intervalHolds: Bool?
}

/// A cell whose observed success rate misses its scenario's expectation.
package struct ExpectationViolation: Sendable, Hashable, Codable {
    package let scenario: String
    package let cellID: String
    package let engine: String
    package let expectation: SuccessRateExpectation
    package let successRate: Double
    package let interval: ProportionInterval
    /// True when even the whole Wilson interval misses it (the strict check fails too).
    package let provenByInterval: Bool
}

extension FisherExactTest {
    /// Compares two cells' pass counts with their fail-or-timeout counts, e.g. the same
    /// cell on a good host and a bad one. Errors are left out, as in the success rate.
    /// - Parameters:
    ///   - first: One cell.
    ///   - second: The other.
    package init(comparing first: CellTally, with second: CellTally) {
        self.init(
            a: first.passes, b: first.fails + first.timeouts,
            c: second.passes, d: second.fails + second.timeouts)
    }
}

/// Trials after a cell's first failure, in the order they started.
package struct FollowingTrials: Sendable, Hashable, Codable {
    /// Trials that started after the first failed or timed-out one (errors left out).
    package let trials: Int
    /// Of those, the ones that failed or timed out.
    package let failures: Int

    /// The failure rate after the first failure; nil when no trial followed it.
    package var failureRate: Double? { trials > 0 ? Double(failures) / Double(trials) : nil }

    /// When one trial of a cell started, and how it ended: what `FollowingTrials` needs of
    /// each, kept by `TallyAccumulator` instead of the records.
    struct Start: Sendable {
        let startedAt: Date
        let sequence: Int
        let outcome: TrialOutcome
    }

    init?(_ records: [Start]) {
        let ordered = records.sorted { ($0.startedAt, $0.sequence) < ($1.startedAt, $1.sequence) }
        guard let first = ordered.firstIndex(where: { $0.outcome == .fail || $0.outcome == .timeout }) else {
            return nil
        }
        let following = ordered[(first + 1)...].filter { $0.outcome != .error }
        trials = following.count
        failures = following.count { $0.outcome != .pass }
    }
}
