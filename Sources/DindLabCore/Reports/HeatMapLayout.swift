/// How a scenario's cells are laid out in the HTML report's heat map.
///
/// With two matrix keys or more, the last key's values are the columns and the other keys'
/// combinations the rows (`daemon.start=exec, inner.mode=ti` × `outer.image`), so a 2 × 2 × 3
/// matrix is a 4 × 3 grid. With one key or none, the cells are a list, one row each. Keys that
/// have one value in every cell shown are left out of rows and columns.
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

    /// Keys whose value is the same in every cell (an `--only` filter fixed them): they would
    /// only add a one-value row or column, so the layout leaves them out and names them here.
    let constant: [CellValues.Entry]

    /// - Parameter cells: One scenario's cells on one engine.
    init(cells: [CellTally]) {
        let keys = cells.first?.cellValues.map(\.key) ?? []
        let sameKeys = cells.allSatisfy { $0.cellValues.map(\.key) == keys }
        let varying = keys.filter { key in Set(cells.map { $0.cellValues[key] }).count > 1 }
        let constant =
            sameKeys && cells.count > 1 ? (cells.first?.cellValues.filter { !varying.contains($0.key) } ?? []) : []
        self.constant = constant
        guard varying.count >= 2, sameKeys else {
            rows = cells.map { cell in
                let shown = cell.cellValues.filter { entry in !constant.contains(entry) }
                return shown.isEmpty ? cell.cellID : shown.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            }
            columns = []
            columnKey = nil
            rowKeys = varying
            grid = cells.map { [$0] }
            return
        }
        let columnKey = varying[varying.count - 1]
        let rowKeys = Array(varying.dropLast())
        func rowLabel(_ cell: CellTally) -> String {
            rowKeys.map { "\($0)=\(cell.cellValues[$0] ?? "")" }.joined(separator: ", ")
        }
        /// The label's index in `labels`, appending it when it is new.
        func index(of label: String, in labels: inout [String]) -> Int {
            if let index = labels.firstIndex(of: label) { return index }
            labels.append(label)
            return labels.count - 1
        }
        var rows: [String] = []
        var columns: [String] = []
        let places = cells.map { cell in
            let row = index(of: rowLabel(cell), in: &rows)
            return (row: row, column: index(of: cell.cellValues[columnKey] ?? "", in: &columns))
        }
        var grid = Array(repeating: [CellTally?](repeating: nil, count: columns.count), count: rows.count)
        for (cell, place) in zip(cells, places) {
            grid[place.row][place.column] = cell
        }
        self.rows = rows
        self.columns = columns
        self.columnKey = columnKey
        self.rowKeys = rowKeys
        self.grid = grid
    }
}
