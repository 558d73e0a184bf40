/// How a scenario's cells are laid out in the HTML report's heat map.
///
/// With two matrix keys or more, the last key's values are the columns and the other keys'
/// combinations the rows (`daemon.start=exec, inner.mode=ti` × `outer.image`), so a 2 × 2 × 3
/// matrix is a 4 × 3 grid. With one key or none, the cells are a list, one row each.
struct HeatMapLayout {
    /// Row labels, in the order cells first appear.
    let rows: [String]
    /// Column labels; empty for a list.
    let columns: [String]
    /// The key whose values are the columns; nil for a list.
    let columnKey: String?
    /// The keys that make the row labels.
    let rowKeys: [String]
    /// The cell at each row and column (a list has a single column, index 0).
    let grid: [[CellTally?]]

    var isGrid: Bool { columnKey != nil }

    /// - Parameter cells: One scenario's cells on one engine.
    init(cells: [CellTally]) {
        let keys = cells.first?.cellValues.map(\.key) ?? []
        let sameKeys = cells.allSatisfy { $0.cellValues.map(\.key) == keys }
        guard keys.count >= 2, sameKeys else {
            rows = cells.map(\.cellID)
            columns = []
            columnKey = nil
            rowKeys = keys
            grid = cells.map { [$0] }
            return
        }
        let columnKey = keys[keys.count - 1]
        func rowLabel(_ cell: CellTally) -> String {
            cell.cellValues.dropLast().map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        }
        var rows: [String] = []
        var columns: [String] = []
        for cell in cells {
            let row = rowLabel(cell), column = cell.cellValues[columnKey] ?? ""
            if !rows.contains(row) { rows.append(row) }
            if !columns.contains(column) { columns.append(column) }
        }
        var grid = Array(repeating: [CellTally?](repeating: nil, count: columns.count), count: rows.count)
        for cell in cells {
            grid[rows.firstIndex(of: rowLabel(cell))!][columns.firstIndex(of: cell.cellValues[columnKey] ?? "")!] = cell
        }
        self.rows = rows
        self.columns = columns
        self.columnKey = columnKey
        self.rowKeys = Array(keys.dropLast())
        self.grid = grid
    }
}
