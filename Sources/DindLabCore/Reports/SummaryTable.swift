import Foundation

/// The per-scenario tables `run` and `report` print: cell, n, pass rate with its 95%
/// interval, and the top signatures.
package enum SummaryTable {
    /// Renders the tables, then the expectations that failed.
    ///
    /// - Parameters:
    ///   - summary: The run's summary.
    ///   - signatures: How many top signatures to list per cell.
    ///   - strict: List only the expectations that fail by the whole 95% interval (`--strict`).
    /// - Returns: Text for a terminal.
    package static func render(_ summary: RunSummary, signatures: Int = 2, strict: Bool = false) -> String {
        var text = ""
        let showEngine = Set(summary.scenarios.flatMap { $0.cells.map(\.engine) }).count > 1
        for scenario in summary.scenarios {
            text += "\n\(scenario.name)" + (scenario.expectation.map { " (expect success rate \($0))" } ?? "") + "\n"
            // With isolation: cell, whether the trials after a first failure fail too.
            let showFollowing = scenario.cells.contains { ($0.afterFirstFailure?.trials ?? 0) > 0 }
            var rows: [[String]] = [
                ["cell"] + (showEngine ? ["engine"] : []) + ["n", "pass", "fail", "t/o", "err", "rate [95% CI]"]
                    + (showFollowing ? ["fail rate after 1st fail"] : []) + ["top signatures"]
            ]
            for cell in scenario.cells {
                if cell.isSkipped, let skipped = cell.skipped {
                    // A skipped cell is a row too, so a matrix cannot shrink without a word.
                    rows.append(
                        [cell.cellID] + (showEngine ? [cell.engine] : []) + [
                            "0", "—", "—", "—", "—", "skipped (\(skipped.trials) not run)",
                        ]
                            + (showFollowing ? ["—"] : []) + [skipped.reason])
                    continue
                }
                let top = topSignatures(of: cell, limit: signatures).map { "\($0.count)× \($0.signature)" }
                rows.append(
                    [cell.cellID] + (showEngine ? [cell.engine] : []) + [
                        "\(cell.trials)" + (cell.skipped.map { " (+\($0.trials) skipped)" } ?? ""), "\(cell.passes)",
                        "\(cell.fails)", "\(cell.timeouts)", "\(cell.errors)",
                        rateText(cell.successRate, cell.interval),
                    ]
                        + (showFollowing
                            ? [
                                cell.afterFirstFailure.map { following in
                                    following.failureRate.map { "\(percent($0)) of \(following.trials)" } ?? "—"
                                } ?? "—"
                            ] : []) + [top.first ?? ""])
                for more in top.dropFirst() {
                    rows.append(Array(repeating: "", count: rows[0].count - 1) + [more])
                }
            }
            text += table(rows)
            text += phaseTable(scenario, showEngine: showEngine)
        }
        let violations = summary.violations.filter { !strict || $0.provenByInterval }
        if !violations.isEmpty {
            text += "\nExpectations that failed" + (strict ? " (the whole 95% interval misses them)" : "") + ":\n"
            for violation in violations {
                text +=
                    "  \(violation.scenario) \(violation.cellID) [\(violation.engine)]: rate \(percent(violation.successRate)) [\(percent(violation.interval.lower)), \(percent(violation.interval.upper))] does not satisfy \(violation.expectation)\(violation.provenByInterval ? " (even the whole interval misses it)" : "")\n"
            }
        }
        if !summary.corruptLines.isEmpty {
            text +=
                "\n\(summary.corruptLines.count) line(s) of trials.jsonl could not be read and were skipped: lines \(summary.corruptLines.map { String($0.lineNumber) }.joined(separator: ", ")).\n"
        }
        return text
    }

    /// Each cell's median seconds per phase, in lifecycle order; "" when no cell has any.
    static func phaseTable(_ scenario: ScenarioTally, showEngine: Bool) -> String {
        let cells = scenario.cells.filter { $0.phaseMedians != nil }
        guard !cells.isEmpty else { return "" }
        var rows: [[String]] = [
            ["median seconds"] + (showEngine ? ["engine"] : []) + TrialPhase.allCases.map(\.rawValue)
        ]
        for cell in cells {
            let medians = cell.phaseMedians ?? [:]
            rows.append(
                [cell.cellID] + (showEngine ? [cell.engine] : [])
                    + TrialPhase.allCases.map { phase in
                        medians[phase].map { String(format: "%.2f", $0) } ?? "—"
                    })
        }
        return "\n" + table(rows)
    }

    /// A cell's most frequent signatures, leaving out trials recorded without one. Passes with a
    /// signature (`misplaced: ...`) are listed too: "passed, but misplaced".
    static func topSignatures(of cell: CellTally, limit: Int) -> [SignatureCount] {
        Array(cell.signatures.filter { $0.signature != SignatureCount.missing }.prefix(limit))
    }

    static func rateText(_ rate: Double?, _ interval: ProportionInterval?) -> String {
        guard let rate else { return "—" }
        guard let interval else { return percent(rate) }
        return "\(percent(rate)) [\(percent(interval.lower)), \(percent(interval.upper))]"
    }

    package static func percent(_ value: Double) -> String {
        String(format: "%.1f%%", value * 100)
    }

    /// Left-aligned columns separated by two spaces; the last column is not padded, and only
    /// trailing spaces are trimmed (a continuation row's empty leading columns keep its place).
    static func table(_ rows: [[String]]) -> String {
        guard let width = rows.first?.count else { return "" }
        let widths = (0..<width).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == width - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }
}
