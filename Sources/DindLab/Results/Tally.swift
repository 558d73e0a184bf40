import Foundation

/// The counts of a run, per scenario and per cell: what `summary.json` and every
/// report show.
///
/// A cell's success rate is passes / (passes + fails + timeouts). Errors are left out
/// on purpose: an error is the harness or the engine failing (engine unreachable,
/// image missing), which says nothing about the system under test, so it neither
/// helps nor hurts a cell. A cell with only errors has no rate and no interval.
public struct Tally: Sendable, Hashable, Codable {
    public let scenarios: [ScenarioTally]

    /// Counts the records, with one expectation per scenario.
    /// - Parameters:
    ///   - records: Trial records, in any order.
    ///   - expectations: Each scenario's `expect.success-rate`, by scenario name.
    public init(records: some Sequence<TrialRecord>, expectations: [String: SuccessRateExpectation] = [:]) {
        self.init(records: records, expectations: RunExpectations(byScenario: expectations))
    }

    /// Counts the records; each cell is checked against its own expectation.
    /// - Parameters:
    ///   - records: Trial records, in any order.
    ///   - expectations: The run's expectations, per scenario and cell (as the manifest records them).
    public init(records: some Sequence<TrialRecord>, expectations: RunExpectations) {
        // Plan order: scenarios and cells appear in the order of their first trial.
        let ordered = records.sorted { ($0.sequence, $0.trialID) < ($1.sequence, $1.trialID) }
        var scenarioOrder: [String] = []
        var cellsByScenario: [String: [CellKey: [TrialRecord]]] = [:]
        var cellOrder: [String: [CellKey]] = [:]
        for record in ordered {
            let key = CellKey(cellID: record.cellID, engine: record.engine)
            if cellsByScenario[record.scenario] == nil { scenarioOrder.append(record.scenario) }
            if cellsByScenario[record.scenario, default: [:]][key] == nil { cellOrder[record.scenario, default: []].append(key) }
            cellsByScenario[record.scenario, default: [:]][key, default: []].append(record)
        }
        scenarios = scenarioOrder.map { name in
            let cells = cellOrder[name, default: []].map { key in
                CellTally(records: cellsByScenario[name]![key]!,
                          expectation: expectations.expectation(scenario: name, cellID: key.cellID))
            }
            return ScenarioTally(name: name, expectation: expectations.expectation(scenario: name), cells: cells)
        }
    }

    /// A tally of scenarios counted elsewhere, e.g. put in another order.
    init(scenarios: [ScenarioTally]) {
        self.scenarios = scenarios
    }

    /// Every cell whose observed rate misses its scenario's expectation, in report order.
    public var violations: [ExpectationViolation] {
        scenarios.flatMap { scenario in
            scenario.cells.compactMap { cell -> ExpectationViolation? in
                guard let check = cell.expectation, check.rateHolds == false,
                      let rate = cell.successRate, let interval = cell.interval else { return nil }
                return ExpectationViolation(scenario: scenario.name, cellID: cell.cellID, engine: cell.engine,
                                            expectation: check.expectation, successRate: rate, interval: interval,
                                            provenByInterval: check.intervalHolds == false)
            }
        }
    }

    private struct CellKey: Hashable {
        let cellID: String
        let engine: String
    }
}

/// One scenario's cells.
public struct ScenarioTally: Sendable, Hashable, Codable {
    public let name: String
    /// The scenario's own expectation; a cell whose matrix sets another has it in its `expectation`.
    public let expectation: SuccessRateExpectation?
    public let cells: [CellTally]
}

/// One cell on one engine.
public struct CellTally: Sendable, Hashable, Codable {
    public let cellID: String
    public let cellValues: CellValues
    public let engine: String
    public let trials: Int
    public let passes: Int
    public let fails: Int
    public let timeouts: Int
    public let errors: Int
    /// passes / (passes + fails + timeouts); nil when that is 0 (no trial counted).
    public let successRate: Double?
    /// The Wilson 95 % interval of the success rate; nil when the rate is nil.
    public let interval: ProportionInterval?
    /// Distinct signatures of the trials that did not pass, most frequent first.
    public let signatures: [SignatureCount]
    /// The scenario's expectation checked on this cell; nil when it has none.
    public let expectation: ExpectationCheck?
    /// The trials that started after the cell's first failed or timed-out trial, and how many
    /// of them did not pass: with `isolation: cell`, whether one failure breaks the rest.
    /// nil when no trial failed.
    public let afterFirstFailure: FollowingTrials?

    init(records: [TrialRecord], expectation: SuccessRateExpectation?) {
        let first = records[0]
        cellID = first.cellID
        cellValues = first.cellValues
        engine = first.engine
        trials = records.count
        func count(_ outcome: TrialOutcome) -> Int { records.count { $0.outcome == outcome } }
        passes = count(.pass)
        fails = count(.fail)
        timeouts = count(.timeout)
        errors = count(.error)
        let counted = passes + fails + timeouts
        let rate = counted > 0 ? Double(passes) / Double(counted) : nil
        let interval = ProportionInterval.wilson(successes: passes, trials: counted)
        successRate = rate
        self.interval = interval
        signatures = SignatureCount.counting(records.filter { $0.outcome != .pass })
        afterFirstFailure = FollowingTrials(records)
        self.expectation = expectation.map { expectation in
            ExpectationCheck(expectation: expectation,
                             rateHolds: rate.map(expectation.holds(rate:)),
                             intervalHolds: interval.map(expectation.holds(interval:)))
        }
    }
}

/// How often one signature occurred in a cell.
public struct SignatureCount: Sendable, Hashable, Codable {
    /// The signature; trials recorded without one count under `SignatureCount.missing`.
    public let signature: String
    /// fail, timeout or error: the same text under two outcomes counts twice.
    public let outcome: TrialOutcome
    public let count: Int
    /// The earliest trial (by sequence) with this signature, to open its artifacts.
    public let exampleTrialID: String

    /// What trials without a signature are counted as.
    public static let missing = "(no signature)"

    /// Groups records by (outcome, signature), most frequent first; ties by outcome,
    /// then signature, so the order never depends on input order.
    static func counting(_ records: [TrialRecord]) -> [SignatureCount] {
        struct Key: Hashable { let outcome: TrialOutcome; let signature: String }
        var counts: [Key: (count: Int, example: TrialRecord)] = [:]
        for record in records {
            let key = Key(outcome: record.outcome, signature: record.signature ?? missing)
            let example = counts[key].map { $0.example.sequence <= record.sequence ? $0.example : record } ?? record
            counts[key] = ((counts[key]?.count ?? 0) + 1, example)
        }
        let outcomeOrder = TrialOutcome.allCases
        return counts.map { key, value in
            SignatureCount(signature: key.signature, outcome: key.outcome, count: value.count, exampleTrialID: value.example.trialID)
        }.sorted {
            ($1.count, outcomeOrder.firstIndex(of: $0.outcome)!, $0.signature)
                < ($0.count, outcomeOrder.firstIndex(of: $1.outcome)!, $1.signature)
        }
    }
}

/// A cell's expectation and whether it holds.
public struct ExpectationCheck: Sendable, Hashable, Codable {
    public let expectation: SuccessRateExpectation
    /// `expectation.holds(rate:)`; nil when the cell has no rate.
    public let rateHolds: Bool?
    /// `expectation.holds(interval:)`, the strict check; nil when the cell has no rate.
    public let intervalHolds: Bool?
}

/// A cell whose observed success rate misses its scenario's expectation.
public struct ExpectationViolation: Sendable, Hashable, Codable {
    public let scenario: String
    public let cellID: String
    public let engine: String
    public let expectation: SuccessRateExpectation
    public let successRate: Double
    public let interval: ProportionInterval
    /// True when even the whole Wilson interval misses it (the strict check fails too).
    public let provenByInterval: Bool
}

extension FisherExactTest {
    /// Compares two cells' pass counts with their fail-or-timeout counts, e.g. the same
    /// cell on a good host and a bad one. Errors are left out, as in the success rate.
    /// - Parameters:
    ///   - first: One cell.
    ///   - second: The other.
    public init(comparing first: CellTally, with second: CellTally) {
        self.init(a: first.passes, b: first.fails + first.timeouts,
                  c: second.passes, d: second.fails + second.timeouts)
    }
}

/// Trials after a cell's first failure, in the order they started.
public struct FollowingTrials: Sendable, Hashable, Codable {
    /// Trials that started after the first failed or timed-out one (errors left out).
    public let trials: Int
    /// Of those, the ones that failed or timed out.
    public let failures: Int

    /// The failure rate after the first failure; nil when no trial followed it.
    public var failureRate: Double? { trials > 0 ? Double(failures) / Double(trials) : nil }

    init?(_ records: [TrialRecord]) {
        let ordered = records.sorted { ($0.startedAt, $0.sequence) < ($1.startedAt, $1.sequence) }
        guard let first = ordered.firstIndex(where: { $0.outcome == .fail || $0.outcome == .timeout }) else { return nil }
        let following = ordered[(first + 1)...].filter { $0.outcome != .error }
        trials = following.count
        failures = following.count { $0.outcome != .pass }
    }
}
