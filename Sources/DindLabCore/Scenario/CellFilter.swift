/// `--only key=value`: keep only cells whose field `key` has `value`.
package struct CellFilter: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A matrix key, e.g. `inner.mode`.
    package let key: String
    /// The value as the user wrote it, e.g. `ti` or `1.5m` or `[sh, -c, "echo ok"]`.
    package let value: String

    /// Creates a filter.
    /// - Parameters:
    ///   - key: A matrix key.
    ///   - value: The value as the user wrote it.
    package init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Reads `key=value` (split at the first `=`).
    /// - Parameter argument: The command-line argument.
    /// - Throws: `PlanError` when there is no `=` or the key is empty.
    package init(parsing argument: String) throws(PlanError) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
            throw .malformedFilter(argument)
        }
        self.init(key: String(argument[..<equals]), value: String(argument[argument.index(after: equals)...]))
    }

    /// `key=value`.
    package var description: String { "\(key)=\(value)" }
}

/// What a set of `--only` filters selects among the cells of some scenarios.
///
/// Filters on the same key are alternatives (`--only inner.mode=ti --only inner.mode=d` keeps
/// both); filters on different keys must all hold. A cell is compared by its resolved value, so
/// a scenario whose matrix doesn't vary the key is kept when its fixed value matches, and left
/// out otherwise. Each key must be a matrix key of at least one scenario, and each value one
/// that such a matrix lists: a filter that could never select anything is a mistake.
struct CellSelection {
    private let groups: [(field: ScenarioField, values: [FieldValue])]

    init(filters: [CellFilter], scenarios: [Scenario]) throws(PlanError) {
        var groups: [(field: ScenarioField, values: [FieldValue])] = []
        for filter in filters {
            let dimensions = scenarios.flatMap(\.matrix).filter { $0.key == filter.key }
            guard let field = ScenarioField.named(filter.key), !dimensions.isEmpty else {
                let keys = scenarios.flatMap { $0.matrix.map(\.key) }
                throw .unknownFilterKey(
                    filter, matrixKeys: keys.reduce(into: []) { if !$0.contains($1) { $0.append($1) } })
            }
            let value: FieldValue
            do {
                value = try field.parse(filter.value)
            } catch {
                throw .badFilterValue(filter, error.message)
            }
            guard dimensions.contains(where: { $0.fieldValues.contains(value) }) else {
                let taken = dimensions.flatMap(\.values).reduce(into: [String]()) {
                    if !$0.contains($1) { $0.append($1) }
                }
                throw .filterValueNeverTaken(filter, values: taken)
            }
            if let index = groups.firstIndex(where: { $0.field.key == field.key }) {
                groups[index].values.append(value)
            } else {
                groups.append((field, [value]))
            }
        }
        self.groups = groups
    }

    /// Whether every filtered key of the cell's resolved scenario has one of the filter's values.
    func includes(_ cell: Cell) -> Bool {
        groups.allSatisfy { group in
            guard let value = group.field.read(cell.scenario) else { return false }
            return group.values.contains(value)
        }
    }
}
