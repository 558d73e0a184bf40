/// Why a repro could not start.
package struct ReproError: Error, Hashable, CustomStringConvertible {
    /// The facts of the problem; the executable words the options they came from.
    package enum Code: Hashable, Sendable {
        /// The scenario has several cells and none was chosen; its cell ids.
        case cellRequired(scenario: String, cells: [String])
        /// The cell asked for fits no cell of the scenario: why, and the cell ids.
        case cellNotSelected(argument: String, scenario: String, cells: [String], reason: String)
        /// The cell asked for leaves several cells; their ids.
        case severalCells(argument: String, scenario: String, selected: [String])
        /// The signature pattern is not a regular expression.
        case badSignaturePattern(pattern: String, reason: String)
        /// A trial budget below 1.
        case invalidMax(Int)
    }

    /// What went wrong, with its facts.
    package let code: Code

    /// The scenario has several cells and no `--cell` chose one.
    package static func cellRequired(scenario: String, cells: [String]) -> ReproError {
        ReproError(code: .cellRequired(scenario: scenario, cells: cells))
    }

    /// `--cell` does not fit the scenario's matrix.
    package static func cellNotSelected(_ argument: String, scenario: String, cells: [String], reason: String)
        -> ReproError
    {
        ReproError(code: .cellNotSelected(argument: argument, scenario: scenario, cells: cells, reason: reason))
    }

    /// `--cell` leaves more than one cell.
    package static func severalCells(_ argument: String, scenario: String, selected: [String]) -> ReproError {
        ReproError(code: .severalCells(argument: argument, scenario: scenario, selected: selected))
    }

    /// `--until-signature` is not a regular expression.
    package static func badSignaturePattern(_ pattern: String, reason: String) -> ReproError {
        ReproError(code: .badSignaturePattern(pattern: pattern, reason: reason))
    }

    /// `--max` below 1.
    package static func invalidMax(_ value: Int) -> ReproError {
        ReproError(code: .invalidMax(value))
    }

    private static func list(_ cells: [String]) -> String {
        cells.map { "\n  \($0)" }.joined()
    }

    package var description: String {
        switch code {
        case .cellRequired(let scenario, let cells):
            "The scenario \(scenario) has \(cells.count) cells and repro runs one; choose one of:" + Self.list(cells)
        case .cellNotSelected(let argument, let scenario, let cells, let reason):
            "The cell \(argument) selects no cell of the scenario \(scenario): \(reason) Its cells are:"
                + Self.list(cells)
        case .severalCells(let argument, let scenario, let selected):
            "The cell \(argument) leaves \(selected.count) cells of the scenario \(scenario) and repro runs one; give a value for every matrix key, e.g.:"
                + Self.list(selected)
        case .badSignaturePattern(let pattern, let reason):
            "The signature pattern \(pattern) is not a regular expression: \(reason)."
        case .invalidMax(let value):
            "A budget of \(value) trials was asked for, but repro needs at least 1 trial."
        }
    }
}
