/// The trials a run will make, in the order it will make them: every selected cell of every
/// scenario, `repeat` times, interleaved in an order drawn from a seed.
///
/// Interleaving means a slow drift of the machine (a filling disk, a warming CPU) spreads over
/// all cells instead of biasing the cell that happened to run last. The same scenarios, options
/// and seed give the same plan on every machine. Within a cell, trial indices follow run order,
/// so `isolation: cell` serves a cell's trials t0, t1, ... in that order.
package struct Plan: Sendable, Hashable, Codable {
    /// The seed the order was drawn from; print it and store it to reproduce the run.
    package let seed: UInt64
    /// Each scenario with the cells selected from it, in the order given.
    package let scenarios: [PlannedScenario]
    /// Every trial, in run order (`trials[i].sequence == i` for a whole plan).
    package let trials: [PlannedTrial]
    /// Which part of a larger plan this is, when it is a shard.
    package let shard: Shard?
    /// How many trials the whole plan has: `trials.count`, or for a shard the count of the plan
    /// it was cut from (so a shard's manifest can say what the shards add up to).
    package let wholePlanTrialCount: Int

    /// Plans the trials of some scenarios.
    /// - Parameters:
    ///   - scenarios: Loaded scenarios, each with a distinct name.
    ///   - repeatOverride: Trials per cell for every cell, replacing each scenario's `repeat`.
    ///   - seed: The seed of the order; nil draws one at random (it is then in `seed`).
    ///   - only: `--only` filters (see `CellSelection`): the cells to keep.
    /// - Throws: `PlanError` when no scenario is given, two share a name, `repeatOverride` is
    ///   below 1, or a filter is malformed, names no matrix key, names a value never taken, or
    ///   leaves nothing.
    package init(scenarios: [Scenario], repeatOverride: Int? = nil, seed: UInt64? = nil, only: [CellFilter] = [])
        throws(PlanError)
    {
        guard !scenarios.isEmpty else { throw .noScenarios }
        if let repeatOverride, repeatOverride < 1 { throw .invalidRepeat(repeatOverride) }
        for (index, scenario) in scenarios.enumerated() {
            if let earlier = scenarios[..<index].first(where: { $0.name == scenario.name }) {
                throw .duplicateScenarioName(
                    scenario.name, sources: [earlier.source ?? "(unnamed)", scenario.source ?? "(unnamed)"])
            }
        }
        let selection = try CellSelection(filters: only, scenarios: scenarios)
        let planned = scenarios.map { PlannedScenario(scenario: $0, cells: $0.cells().filter(selection.includes)) }
        guard planned.contains(where: { !$0.cells.isEmpty }) else { throw .nothingSelected(only) }

        let seed = seed ?? UInt64.random(in: .min ... .max)
        self.seed = seed
        self.scenarios = planned
        self.shard = nil

        // One slot per trial, shuffled; a cell's k-th slot in run order becomes its trial k.
        var slots: [(scenario: Int, cell: Int)] = []
        for (scenarioIndex, entry) in planned.enumerated() {
            for (cellIndex, cell) in entry.cells.enumerated() {
                let count = repeatOverride ?? cell.scenario.repeatCount
                slots += Array(repeating: (scenarioIndex, cellIndex), count: count)
            }
        }
        var generator = SplitMix64(seed: seed)
        generator.shuffle(&slots)
        var nextIndex: [String: Int] = [:]
        let shared = planned.map { entry in entry.cells.map(SharedCell.init) }
        trials = slots.enumerated().map { sequence, slot in
            let scenario = planned[slot.scenario].scenario
            let key = "\(slot.scenario)/\(slot.cell)"
            let index = nextIndex[key, default: 0]
            nextIndex[key] = index + 1
            return PlannedTrial(
                scenarioName: scenario.name, cell: shared[slot.scenario][slot.cell], index: index, sequence: sequence)
        }
        wholePlanTrialCount = trials.count
    }

    /// A part of this plan, for a sharded run.
    private init(
        seed: UInt64, scenarios: [PlannedScenario], trials: [PlannedTrial], shard: Shard, wholePlanTrialCount: Int
    ) {
        self.seed = seed
        self.scenarios = scenarios
        self.trials = trials
        self.shard = shard
        self.wholePlanTrialCount = wholePlanTrialCount
    }

    /// The trials of one cell, in run order.
    /// - Parameters:
    ///   - cell: A cell of this plan.
    ///   - scenarioName: The cell's scenario.
    /// - Returns: The cell's trials.
    package func trials(of cell: Cell, in scenarioName: String) -> [PlannedTrial] {
        trials.filter { $0.scenarioName == scenarioName && $0.cell.index == cell.index }
    }

    /// A deterministic part of the plan, for spreading one run over several CI jobs: shards
    /// 1...count are disjoint and together hold every trial, each in the plan's order with its
    /// sequence number unchanged.
    ///
    /// Trials are dealt to the shard holding the fewest so far, in run order. The trials of an
    /// `isolation: cell` cell stay together in one shard, because they share one outer
    /// container and must run in order.
    /// - Parameters:
    ///   - index: The shard, from 1 to `count`.
    ///   - count: How many shards, at least 1.
    /// - Returns: The shard's plan (same seed and scenarios, only the cells it runs).
    /// - Throws: `PlanError` when `index` is not in 1...count.
    package func shard(_ index: Int, of count: Int) throws(PlanError) -> Plan {
        guard count >= 1, (1...count).contains(index) else { throw .invalidShard(index, of: count) }
        var load = Array(repeating: 0, count: count)
        var assigned: [String: Int] = [:]  // cell key -> shard, for isolation: cell
        var mine: [PlannedTrial] = []
        for trial in trials {
            let cellKey = "\(trial.scenarioName)/\(trial.cell.index)"
            let shard: Int
            if let fixed = assigned[cellKey] {
                shard = fixed
            } else {
                // The first of the least loaded (`load` is never empty: count >= 1).
                shard = load.indices.min { load[$0] < load[$1] } ?? 0
                if trial.cell.scenario.isolation == .cell {
                    assigned[cellKey] = shard
                    load[shard] += trials.count { "\($0.scenarioName)/\($0.cell.index)" == cellKey }
                }
            }
            if trial.cell.scenario.isolation != .cell { load[shard] += 1 }
            if shard == index - 1 { mine.append(trial) }
        }
        let cells = Set(mine.map { "\($0.scenarioName)/\($0.cell.index)" })
        let scenarios = self.scenarios.map { entry in
            PlannedScenario(
                scenario: entry.scenario,
                cells: entry.cells.filter { cells.contains("\(entry.scenario.name)/\($0.index)") })
        }
        return Plan(
            seed: seed, scenarios: scenarios, trials: mine, shard: Shard(index: index, count: count),
            wholePlanTrialCount: wholePlanTrialCount)
    }

    /// Which part of a larger plan a shard is.
    package struct Shard: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The shard, from 1 to `count`.
        package let index: Int
        /// How many shards the plan was split into.
        package let count: Int

        /// The `index`-th of `count` shards (not checked: `Plan.shard(_:of:)` checks).
        package init(index: Int, count: Int) {
            self.index = index
            self.count = count
        }

        /// `2/3`.
        package var description: String { "\(index)/\(count)" }
    }
}

/// A scenario in a plan, with the cells selected from it.
package struct PlannedScenario: Sendable, Hashable, Codable {
    /// The scenario as loaded (with its matrix).
    package let scenario: Scenario
    /// The selected cells, in expansion order (their `index` is from the full expansion).
    package let cells: [Cell]
}

/// One trial of a plan: which cell, which repetition, and when.
package struct PlannedTrial: Sendable, Hashable, Codable, Identifiable {
    /// `<scenario>-c<cell index>-t<trial index>`, e.g. `exec-vs-cmd-c3-t7`: unique within a run
    /// (scenario names are unique), and the same for the same plan.
    package let id: String
    /// The scenario's name.
    package let scenarioName: String
    /// The cell, with its resolved scenario.
    package var cell: Cell { sharedCell.cell }
    /// The trial's index within its cell, from 0, in run order.
    package let index: Int
    /// The trial's position in the whole plan's run order, from 0.
    package let sequence: Int
    /// The cell, one copy for all of its trials: a `Cell` is about 300 bytes inline, and a
    /// plan of 20,000 trials held a copy per trial, twice (the plan and the runner's units).
    private let sharedCell: SharedCell

    private enum CodingKeys: String, CodingKey {
        case id, scenarioName
        case sharedCell = "cell"
        case index, sequence
    }

    /// The cell index in a trial id (`exec-vs-cmd-c3-t7` gives 3), so that results can be put
    /// back in matrix order without the scenario file; nil for an id of another form.
    package static func cellIndex(ofTrialID id: String) -> Int? {
        let parts = id.split(separator: "-")
        guard parts.count >= 3, parts[parts.count - 1].first == "t", Int(parts[parts.count - 1].dropFirst()) != nil,
            parts[parts.count - 2].first == "c"
        else { return nil }
        return Int(parts[parts.count - 2].dropFirst())
    }

    init(scenarioName: String, cell: SharedCell, index: Int, sequence: Int) {
        self.id = "\(scenarioName)-c\(cell.cell.index)-t\(index)"
        self.scenarioName = scenarioName
        self.sharedCell = cell
        self.index = index
        self.sequence = sequence
    }
}

/// A cell behind a reference, shared by the trials of a plan; equal, hashed and coded as the
/// cell itself.
final class SharedCell: Sendable, Hashable, Codable {
    let cell: Cell

    init(_ cell: Cell) {
        self.cell = cell
    }

    init(from decoder: any Decoder) throws {
        cell = try decoder.singleValueContainer().decode(Cell.self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(cell)
    }

    static func == (lhs: SharedCell, rhs: SharedCell) -> Bool {
        lhs === rhs || lhs.cell == rhs.cell
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(cell)
    }
}
