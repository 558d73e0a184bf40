package import DindLabCore
import Foundation

/// The one cell a repro runs, chosen from a scenario by `--cell key=value,...`.
package enum ReproTarget {
    /// Chooses the cell.
    ///
    /// `--cell` is the cell's id as `plan` and `run` print it (`daemon.start=exec,inner.mode=ti`),
    /// or any part of it that leaves one cell. It is split at each comma that is followed by a
    /// matrix key and `=`, so values that contain commas (`[sh, -c, "echo ok"]`) stay whole.
    ///
    /// - Parameters:
    ///   - scenario: The loaded scenario.
    ///   - argument: The `--cell` value, or nil.
    /// - Returns: The cell and the filters that select it (empty for a scenario of one cell).
    /// - Throws: `ReproError` when no cell or several cells are left.
    package static func select(in scenario: Scenario, cell argument: String?) throws(ReproError) -> (
        cell: Cell, filters: [CellFilter]
    ) {
        let all = scenario.cells()
        guard let argument, !argument.isEmpty else {
            guard all.count == 1 else { throw .cellRequired(scenario: scenario.name, cells: all.map(\.id)) }
            return (all[0], [])
        }
        let filters: [CellFilter]
        let selected: [Cell]
        do {
            filters = try split(argument, keys: scenario.matrix.map(\.key)).map { piece throws(PlanError) in
                try CellFilter(parsing: piece)
            }
            selected = try scenario.cells(only: filters)
        } catch {
            throw .cellNotSelected(argument, scenario: scenario.name, cells: all.map(\.id), reason: error.description)
        }
        guard selected.count == 1 else {
            throw .severalCells(argument, scenario: scenario.name, selected: selected.map(\.id))
        }
        return (selected[0], filters)
    }

    /// Splits `key=value,key=value` at the commas that start another `key=`.
    static func split(_ argument: String, keys: [String]) -> [String] {
        var pieces: [String] = []
        var current = ""
        var rest = Substring(argument)
        while let character = rest.first {
            rest = rest.dropFirst()
            if character == ",", keys.contains(where: { rest.hasPrefix($0 + "=") }) {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        return pieces
    }
}
