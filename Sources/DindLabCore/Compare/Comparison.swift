import Foundation

/// A comparison report: cells paired across two conditions, each pair tested, with p-values
/// adjusted over the whole report (Holm), and the cells that found no partner.
///
/// Two kinds:
/// - two runs (`compare RUN_A RUN_B`): cells are paired by scenario, cell id and engine; when
///   each run used a single engine, by scenario and cell id alone, so a run on an old host and
///   one on a new host pair up although their engines have different names.
/// - one run by a key (`compare RUN --by KEY`): cells that agree on every matrix key but KEY
///   (and on the engine) form a group, and every level of KEY is compared with the baseline
///   level: the first in the scenario's matrix order (or in the manifest's engine order for
///   `--by engine`), or the one `--baseline` names. Comparing with one baseline rather than
///   every pair keeps the number of tests (and of false alarms) down to levels - 1 per group.
package struct Comparison: Sendable {
    /// e.g. "runA vs runB" or "by outer.image in runA".
    package let title: String
    package let baselineLabel: String
    package let otherLabel: String
    /// The pairs, in report order.
    package private(set) var rows: [CellComparison]
    /// Cells with no partner: only in one run, or a group without the baseline level.
    package let unmatched: [UnmatchedCell]
    /// The key compared by, for `--by`.
    package let key: String?

    /// The significance level rows are marked at (after Holm's adjustment).
    package static let significanceLevel = 0.05

    init(
        title: String, baselineLabel: String, otherLabel: String, rows: [CellComparison], unmatched: [UnmatchedCell],
        key: String?
    ) {
        self.title = title
        self.baselineLabel = baselineLabel
        self.otherLabel = otherLabel
        self.rows = rows
        self.unmatched = unmatched
        self.key = key
        let tested = rows.indices.compactMap { index in rows[index].pValue.map { (index: index, pValue: $0) } }
        let adjusted = HolmAdjustment.adjust(tested.map(\.pValue))
        for ((index, _), value) in zip(tested, adjusted) {
            self.rows[index].adjustedPValue = value
        }
    }

    /// Compares the cells of two runs.
    /// - Parameters:
    ///   - a: The baseline run.
    ///   - b: The other run.
    package init(_ a: RunRecords, _ b: RunRecords) {
        let ignoreEngine = a.engineNames.count <= 1 && b.engineNames.count <= 1
        func key(_ scenario: String, _ cell: CellTally) -> String {
            ignoreEngine ? "\(scenario)\u{0}\(cell.cellID)" : "\(scenario)\u{0}\(cell.cellID)\u{0}\(cell.engine)"
        }
        let labelA = a.label
        let labelB = b.label == a.label ? b.label + " (B)" : b.label
        var bCells: [String: (String, CellTally)] = [:]
        for scenario in b.tally.scenarios {
            for cell in scenario.cells { bCells[key(scenario.name, cell)] = (scenario.name, cell) }
        }
        var rows: [CellComparison] = []
        var unmatched: [UnmatchedCell] = []
        var matched = Set<String>()
        for scenario in a.tally.scenarios {
            for cell in scenario.cells {
                let k = key(scenario.name, cell)
                if let (_, partner) = bCells[k] {
                    matched.insert(k)
                    let group = ignoreEngine || cell.engine.isEmpty ? cell.cellID : "\(cell.cellID) [\(cell.engine)]"
                    rows.append(
                        CellComparison(
                            scenario: scenario.name, group: group,
                            baseline: .init(label: labelA, tally: cell), other: .init(label: labelB, tally: partner)))
                } else {
                    unmatched.append(
                        UnmatchedCell(
                            scenario: scenario.name, cellID: cell.cellID, engine: cell.engine, side: labelA,
                            trials: cell.trials, successRate: cell.successRate))
                }
            }
        }
        for scenario in b.tally.scenarios {
            for cell in scenario.cells where !matched.contains(key(scenario.name, cell)) {
                unmatched.append(
                    UnmatchedCell(
                        scenario: scenario.name, cellID: cell.cellID, engine: cell.engine, side: labelB,
                        trials: cell.trials, successRate: cell.successRate))
            }
        }
        self.init(
            title: "\(labelA) vs \(labelB)", baselineLabel: labelA, otherLabel: labelB, rows: rows,
            unmatched: unmatched, key: nil)
    }

    /// Compares the levels of one key within a run.
    /// - Parameters:
    ///   - run: The run.
    ///   - key: A matrix key of its cells (`outer.image`), or `engine`.
    ///   - baseline: The level the others are compared with; by default the first.
    /// - Throws: `CompareError` when no cell has the key or the baseline is not one of its levels.
    package init(_ run: RunRecords, by key: String, baseline: String? = nil) throws(CompareError) {
        struct Coordinates {
            var scenario: String
            var cell: CellTally
            var level: String
            var group: String
            var order: Int
        }
        let engines = run.engineNames
        var points: [Coordinates] = []
        for scenario in run.tally.scenarios {
            for cell in scenario.cells {
                if key == "engine" {
                    // A matrix may name the engine too (`matrix: {engine: [...]}`); it is the level, not the group.
                    let rest = cell.cellValues.filter { $0.key != "engine" }.map { "\($0.key)=\($0.value)" }
                    let group =
                        cell.cellValues["engine"] == nil
                        ? cell.cellID : rest.isEmpty ? "(all)" : rest.joined(separator: ",")
                    points.append(
                        Coordinates(
                            scenario: scenario.name, cell: cell, level: cell.engine, group: group,
                            order: engines.firstIndex(of: cell.engine) ?? Int.max))
                } else if let level = cell.cellValues[key] {
                    let rest = cell.cellValues.filter { $0.key != key }.map { "\($0.key)=\($0.value)" }
                    var group = rest.isEmpty ? "(all)" : rest.joined(separator: ",")
                    if engines.count > 1 { group += " [\(cell.engine)]" }
                    points.append(
                        Coordinates(
                            scenario: scenario.name, cell: cell, level: level, group: group,
                            order: run.cellIndex(scenario: scenario.name, cellID: cell.cellID)))
                }
            }
        }
        guard !points.isEmpty else {
            var keys = ["engine"]
            for scenario in run.tally.scenarios {
                for cell in scenario.cells {
                    for entry in cell.cellValues where !keys.contains(entry.key) { keys.append(entry.key) }
                }
            }
            throw .unknownKey(key, keys: keys)
        }
        // Levels in matrix (or engine) order: by the lowest cell index that has them.
        var levelOrder: [String: Int] = [:]
        for point in points { levelOrder[point.level] = min(levelOrder[point.level] ?? Int.max, point.order) }
        let levels = levelOrder.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
        let base = baseline ?? levels[0]
        guard levels.contains(base) else { throw .unknownBaseline(base, key: key, levels: levels) }

        var rows: [CellComparison] = []
        var unmatched: [UnmatchedCell] = []
        var groupOrder: [String] = []
        var groups: [String: [Coordinates]] = [:]
        for point in points.sorted(by: { $0.order < $1.order }) {
            let id = "\(point.scenario)\u{0}\(point.group)"
            if groups[id] == nil { groupOrder.append(id) }
            groups[id, default: []].append(point)
        }
        for id in groupOrder {
            let members = groups[id] ?? []
            guard let basePoint = members.first(where: { $0.level == base }) else {
                for member in members {
                    unmatched.append(
                        UnmatchedCell(
                            scenario: member.scenario, cellID: member.cell.cellID, engine: member.cell.engine,
                            side: "\(key)=\(member.level)", trials: member.cell.trials,
                            successRate: member.cell.successRate))
                }
                continue
            }
            for level in levels where level != base {
                guard let point = members.first(where: { $0.level == level }) else { continue }
                rows.append(
                    CellComparison(
                        scenario: point.scenario, group: point.group,
                        baseline: .init(label: "\(key)=\(base)", tally: basePoint.cell),
                        other: .init(label: "\(key)=\(level)", tally: point.cell)))
            }
        }
        self.init(
            title: "\(run.label) by \(key) (baseline \(key)=\(base))", baselineLabel: "\(key)=\(base)",
            otherLabel: "\(key)=other", rows: rows, unmatched: unmatched, key: key)
    }

    /// Rows whose adjusted p-value is below the significance level.
    package var significantRows: [CellComparison] {
        rows.filter { $0.isSignificant(at: Self.significanceLevel) }
    }
}
