extension Plan {
    /// What `dindlab plan` prints: per scenario, each cell with its matrix values and its trials
    /// (ids and places in the run order), then the totals and the seed (the executable adds how
    /// to reproduce the order).
    ///
    ///     start-and-run-modes (Scenarios/start-and-run-modes.yaml): 12 cells, 120 trials
    ///       c0  daemon.start=cmd inner.mode=ti outer.image=dindlab/outer:bullseye
    ///           10 trials start-and-run-modes-c0-t0…t9, run order 3 17 25 …
    ///     total: 1 scenario, 12 cells, 120 trials
    ///     seed: 8841
    /// - Returns: The report, lines joined by newlines, without a final newline.
    package func report() -> String {
        var lines: [String] = []
        var cellCount = 0
        for entry in scenarios {
            let name = entry.scenario.name
            let trialsOfScenario = trials.filter { $0.scenarioName == name }
            let source = entry.scenario.source.map { " (\($0))" } ?? ""
            guard !entry.cells.isEmpty else {
                lines.append("\(name)\(source): no cell selected")
                continue
            }
            lines.append(
                "\(name)\(source): \(Self.count(entry.cells.count, "cell")), \(Self.count(trialsOfScenario.count, "trial"))"
            )
            let width = "c\(entry.cells.map(\.index).max() ?? 0)".count
            for cell in entry.cells {
                cellCount += 1
                let label = "c\(cell.index)" + String(repeating: " ", count: width - "c\(cell.index)".count)
                let values = cell.values.isEmpty ? "(no matrix)" : cell.values.map(\.description).joined(separator: " ")
                lines.append("  \(label)  \(values)")
                let cellTrials = trialsOfScenario.filter { $0.cell.index == cell.index }
                let indent = "  " + String(repeating: " ", count: width) + "  "
                guard let first = cellTrials.first, let last = cellTrials.last else { continue }
                let ids = cellTrials.count == 1 ? first.id : "\(first.id)…t\(last.index)"
                let order = cellTrials.map { String($0.sequence) }.joined(separator: " ")
                lines.append("\(indent)\(Self.count(cellTrials.count, "trial")) \(ids), run order \(order)")
            }
        }
        let scenarioCount = scenarios.filter { !$0.cells.isEmpty }.count
        var total =
            "total: \(Self.count(scenarioCount, "scenario")), \(Self.count(cellCount, "cell")), \(Self.count(trials.count, "trial"))"
        if let shard { total += " (shard \(shard))" }
        lines.append(total)
        lines.append("seed: \(seed)")
        return lines.joined(separator: "\n")
    }

    private static func count(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
