package import Foundation

/// A history as a terminal table or as Markdown (for a CI job's summary page): one row per
/// cell with its class and adjusted p-value, one column per night, the latest first, each
/// entry the night's success rate and counted trials; then the regressed cells with their
/// test, the signatures first seen recently, and the scenario files that changed.
///
/// A year of nights does not fit a terminal: both show the latest `columns` nights and say
/// so; history.html and the JSON have every night.
package enum HistoryReport {
    /// Nights shown as columns by default.
    package static let defaultColumns = 10

    /// Text for a terminal.
    package static func terminal(_ history: History, columns: Int = defaultColumns) -> String {
        var text = headline(history, columns: columns) + "\n"
        let shown = shownNights(history, columns: columns)
        let labels = history.columnLabels
        for scenario in history.scenarioNames {
            text += "\n\(scenario)\n"
            var rows = [["cell", "class", "p (Holm)"] + shown.map { labels[$0.index] }]
            for cell in history.cells where cell.scenario == scenario {
                rows.append(
                    [history.name(of: cell), cell.trend.classification.description, adjustedText(cell.trend)]
                        + shown.map { entryText(cell.entries[$0.index]) })
            }
            text += SummaryTable.table(rows)
            for change in history.changes(of: scenario) {
                text +=
                    "  the scenario file changed on \(labels[change.night]) (run \(history.nights[change.night].runID); sha256 \(change.previousSHA256.prefix(12))… → \(change.sha256.prefix(12))…)\n"
            }
        }
        text += footer(history, markdown: false)
        return text
    }

    /// A Markdown document.
    package static func markdown(_ history: History, columns: Int = defaultColumns) -> String {
        var text = "# dindlab history\n\n" + headline(history, columns: columns) + "\n"
        let shown = shownNights(history, columns: columns)
        let labels = history.columnLabels
        for scenario in history.scenarioNames {
            text += "\n## \(cell(scenario))\n\n"
            let header = ["cell", "class", "p (Holm)"] + shown.map { labels[$0.index] }
            text +=
                "| " + header.map(cell).joined(separator: " | ") + " |\n|"
                + String(repeating: "---|", count: header.count) + "\n"
            for row in history.cells where row.scenario == scenario {
                let classText =
                    row.trend.classification == .regressed ? "**regressed**" : row.trend.classification.description
                let values =
                    [cell(history.name(of: row)), classText, adjustedText(row.trend)]
                    + shown.map { cell(entryText(row.entries[$0.index])) }
                text += "| " + values.joined(separator: " | ") + " |\n"
            }
            for change in history.changes(of: scenario) {
                text +=
                    "\nThe scenario file changed on \(labels[change.night]) (run `\(history.nights[change.night].runID)`; sha256 `\(change.previousSHA256.prefix(12))…` → `\(change.sha256.prefix(12))…`).\n"
            }
        }
        text += footer(history, markdown: true)
        return text
    }

    /// What the history covers, and the classes in one line.
    static func headline(_ history: History, columns: Int) -> String {
        guard let first = history.nights.first, let last = history.latestNight else { return "No nights.\n" }
        var text =
            "\(history.nights.count) night\(history.nights.count == 1 ? "" : "s"), \(first.dateLabel) to \(last.dateLabel); \(history.cells.count) cell\(history.cells.count == 1 ? "" : "s"); "
        text +=
            "each cell's latest night is compared with up to \(history.window) earlier night\(history.window == 1 ? "" : "s").\n"
        text +=
            "Classes: " + history.classCounts.map { "\($0.count) \($0.classification)" }.joined(separator: ", ") + ".\n"
        if history.nights.count > columns {
            text +=
                "Showing the latest \(columns) of \(history.nights.count) nights; history.html and the JSON output have all.\n"
        }
        return text
    }

    private static func footer(_ history: History, markdown: Bool) -> String {
        var text = ""
        let heading: (String) -> String = { markdown ? "\n## \($0)\n\n" : "\n\($0):\n" }
        let item: (String) -> String = { markdown ? "- \($0)\n" : "  \($0)\n" }
        let regressed = history.regressedCells
        if !regressed.isEmpty {
            text += heading("Regressed")
            for cell in regressed {
                text += item(
                    "\(code("\(cell.scenario) \(history.name(of: cell))", markdown)): \(history.explanation(of: cell))")
            }
        }
        let recovered = history.cells.filter { $0.trend.classification == .recovered }
        if !recovered.isEmpty {
            text += heading("Recovered")
            for cell in recovered {
                text += item(
                    "\(code("\(cell.scenario) \(history.name(of: cell))", markdown)): \(history.explanation(of: cell))")
            }
        }
        let recent = history.recentSignatures()
        if !recent.isEmpty {
            let nights = min(history.nights.count, history.window + 1)
            text += heading("Signatures first seen in the latest \(nights == 1 ? "night" : "\(nights) nights")")
            for signature in recent {
                let night = history.nights[signature.firstNight]
                text += item(
                    "\(night.dateLabel) \(signature.scenario) \(signature.outcome): \(signature.count)× \(code(signature.signature, markdown)) in \(signature.cells.map { code($0, markdown) }.joined(separator: ", ")) (first: \(signature.exampleTrialID) of run \(night.runID))"
                )
            }
        }
        // The terminal's warnings go to standard error (the command prints them there).
        if markdown, !history.warnings.isEmpty {
            text += heading("Warnings")
            for warning in history.warnings { text += item(cell(warning)) }
        }
        text +=
            "\nAn entry is the night's success rate and n (passes, fails and timeouts; errors are left out); skipped: the cell could not run; —: not in that night. p (Holm): Fisher's exact test of the latest night against the window, Holm-adjusted over \(history.cells.count { $0.trend.pValue != nil }) tested cell(s).\n"
        return text
    }

    /// The latest `columns` nights, the latest first.
    static func shownNights(_ history: History, columns: Int) -> [HistoryNight] {
        Array(history.nights.suffix(max(1, columns)).reversed())
    }

    /// `40% n=10`, `skipped`, `err×3`, or `—`.
    static func entryText(_ entry: HistoryEntry?) -> String {
        guard let entry else { return "—" }
        if let rate = entry.successRate { return "\(Int((rate * 100).rounded()))% n=\(entry.counted)" }
        if entry.errors > 0 { return "err×\(entry.errors)" }
        return entry.skippedReason != nil ? "skipped" : "—"
    }

    /// The adjusted p-value, or `—` for a cell that was not tested.
    static func adjustedText(_ trend: CellTrend) -> String {
        trend.adjustedPValue.map(ComparisonReport.pText) ?? "—"
    }

    private static func cell(_ text: String) -> String {
        ReportEscaping.markdownCell(text)
    }

    private static func code(_ text: String, _ markdown: Bool) -> String {
        markdown ? "`\(text.replacingOccurrences(of: "`", with: "'"))`" : text
    }
}

extension History {
    /// Writes the files asked for, each atomically, creating their folders.
    /// - Parameters:
    ///   - html: history.html; links to the nights' reports are relative from its folder.
    ///   - json: The JSON document (`HistoryJSON`).
    ///   - markdown: The Markdown summary.
    ///   - columns: Nights shown as columns in the Markdown table.
    /// - Throws: `ResultsError` when a file cannot be written.
    package func write(
        html: URL? = nil, json: URL? = nil, markdown: URL? = nil, columns: Int = HistoryReport.defaultColumns
    ) throws(ResultsError) {
        var outputs: [(URL, Data)] = []
        if let html {
            outputs.append((html, Data(HistoryHTML.render(self, location: html.deletingLastPathComponent()).utf8)))
        }
        if let json {
            outputs.append((json, try HistoryJSON(self, location: json.deletingLastPathComponent()).encoded()))
        }
        if let markdown { outputs.append((markdown, Data(HistoryReport.markdown(self, columns: columns).utf8))) }
        for (url, data) in outputs {
            try ResultFiles.createDirectory(url.deletingLastPathComponent())
            try ResultFiles.writeAtomically(data, to: url)
        }
    }
}
