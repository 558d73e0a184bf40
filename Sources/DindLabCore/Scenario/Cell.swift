/// One point of a scenario's matrix: every matrix key fixed to one value.
package struct Cell: Sendable, Hashable, Codable, Identifiable {
    /// The cell's position in the scenario's full expansion (0-based). It does not change when
    /// `--only` leaves other cells out, so trial ids stay comparable between runs.
    package let index: Int
    /// The matrix values, in the order of the matrix's keys.
    package let values: [MatrixAssignment]
    /// The scenario with this cell's values applied and no matrix left.
    package let scenario: Scenario

    /// `daemon.start=cmd,inner.mode=ti`, or `default` for a scenario without a matrix. Stable for
    /// the same file, and unique within the scenario.
    package var id: String {
        values.isEmpty ? "default" : values.map(\.description).joined(separator: ",")
    }

    /// Creates a cell.
    /// - Parameters:
    ///   - index: The position in the scenario's full expansion.
    ///   - values: The matrix values, in the order of the matrix's keys.
    ///   - scenario: The resolved scenario.
    package init(index: Int, values: [MatrixAssignment], scenario: Scenario) {
        self.index = index
        self.values = values
        self.scenario = scenario
    }
}

/// One matrix key fixed to one value: `inner.mode=ti`.
package struct MatrixAssignment: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The matrix key.
    package let key: String
    /// The value as users see it (`ti`, `90s`, `[sh, -c, "echo ok"]`).
    package let value: String

    /// Creates an assignment.
    /// - Parameters:
    ///   - key: The matrix key.
    ///   - value: The value as users see it.
    package init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// `key=value`.
    package var description: String { "\(key)=\(value)" }
}

extension Scenario {
    /// Expands the matrix into cells: the cartesian product with the first key varying slowest,
    /// keys in file order, values in file order. A scenario without a matrix has one cell,
    /// `default`.
    /// - Returns: The cells, in that order; each cell's `scenario` is resolved.
    package func cells() -> [Cell] {
        var base = self
        base.matrix = []
        var points: [(values: [MatrixAssignment], scenario: Scenario)] = [([], base)]
        for dimension in matrix {
            // The key was checked when the dimension was made.
            guard let field = ScenarioField.named(dimension.key) else { continue }
            points = points.flatMap { point in
                dimension.fieldValues.map { value in
                    var scenario = point.scenario
                    field.apply(value, &scenario)
                    return (point.values + [MatrixAssignment(key: dimension.key, value: value.description)], scenario)
                }
            }
        }
        return points.enumerated().map {
            Cell(index: $0.offset, values: $0.element.values, scenario: $0.element.scenario)
        }
    }

    /// The cells that `--only` filters select.
    /// - Parameter filters: `key=value` filters; see `CellSelection` for their meaning.
    /// - Returns: The selected cells, in expansion order.
    /// - Throws: `PlanError` when a filter's key is not in this scenario's matrix, its value is
    ///   never taken, or no cell is left.
    package func cells(only filters: [CellFilter]) throws(PlanError) -> [Cell] {
        let selection = try CellSelection(filters: filters, scenarios: [self])
        let selected = cells().filter(selection.includes)
        guard !selected.isEmpty else { throw .nothingSelected(filters) }
        return selected
    }
}
