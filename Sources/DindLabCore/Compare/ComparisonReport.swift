import Foundation

/// A comparison as a terminal table or as Markdown: per pair both rates with their Wilson
/// 95% intervals, the difference, Fisher's p and Holm's adjusted p (a `*` marks adjusted
/// p < 0.05); then the signatures seen on one side only, and the cells without a partner.
package enum ComparisonReport {
    /// Text for a terminal.
    package static func terminal(_ comparison: Comparison) -> String {
        var text = "\(comparison.title)\n"
        if comparison.key == nil { text += "A = \(comparison.baselineLabel), B = \(comparison.otherLabel)\n" }
        text += "\n" + SummaryTable.table([header(comparison)] + comparison.rows.map { cells($0, comparison) })
        text += footer(comparison, markdown: false)
        return text
    }

    /// A Markdown document.
    package static func markdown(_ comparison: Comparison) -> String {
        var text = "# Comparison: \(escape(comparison.title))\n\n"
        if comparison.key == nil { text += "A = `\(comparison.baselineLabel)`, B = `\(comparison.otherLabel)`\n\n" }
        let header = header(comparison)
        text += "| " + header.map(escape).joined(separator: " | ") + " |\n"
        text += "|" + String(repeating: "---|", count: header.count) + "\n"
        for row in comparison.rows {
            text += "| " + cells(row, comparison).map(escape).joined(separator: " | ") + " |\n"
        }
        text += footer(comparison, markdown: true)
        return text
    }

    private static func header(_ comparison: Comparison) -> [String] {
        let scenarioColumn = showScenario(comparison) ? ["scenario"] : []
        if comparison.key != nil {
            return scenarioColumn + [
                "cell", "level", "n", "rate [95% CI]", "baseline n", "baseline rate [95% CI]", "Δ rate", "p",
                "p (Holm)", "",
            ]
        }
        return scenarioColumn + [
            "cell", "A n", "A rate [95% CI]", "B n", "B rate [95% CI]", "Δ rate (B−A)", "p", "p (Holm)", "",
        ]
    }

    private static func cells(_ row: CellComparison, _ comparison: Comparison) -> [String] {
        let scenarioColumn = showScenario(comparison) ? [row.scenario] : []
        let base = [
            String(row.baseline.counted),
            SummaryTable.rateText(row.baseline.tally.successRate, row.baseline.tally.interval),
        ]
        let other = [
            String(row.other.counted), SummaryTable.rateText(row.other.tally.successRate, row.other.tally.interval),
        ]
        let tail = [
            row.difference.map(points) ?? "—", row.pValue.map(pText) ?? "—", row.adjustedPValue.map(pText) ?? "—",
            row.isSignificant(at: Comparison.significanceLevel) ? "*" : "",
        ]
        if comparison.key != nil {
            return scenarioColumn + [row.group, row.other.label] + other + base + tail
        }
        return scenarioColumn + [row.group] + base + other + tail
    }

    private static func footer(_ comparison: Comparison, markdown: Bool) -> String {
        var text = "\n"
        let significant = comparison.significantRows
        let heading: (String) -> String = { markdown ? "## \($0)\n\n" : "\($0):\n" }
        let item: (String) -> String = { markdown ? "- \($0)\n" : "  \($0)\n" }
        text +=
            "n counts passes, fails and timeouts (errors are left out). * marks Holm-adjusted p < \(Comparison.significanceLevel) over \(comparison.rows.count { $0.pValue != nil }) test(s).\n"
        text +=
            significant.isEmpty
            ? "No cell differs significantly.\n" : "\(significant.count) cell(s) differ significantly.\n"

        let withSignatures = comparison.rows.filter {
            !$0.signaturesOnlyInBaseline.isEmpty || !$0.signaturesOnlyInOther.isEmpty
        }
        if !withSignatures.isEmpty {
            text += "\n" + heading("Signatures seen on one side only")
            for row in withSignatures {
                let name =
                    (showScenario(comparison) ? "\(row.scenario) " : "") + row.group
                    + (comparison.key != nil ? " (\(row.other.label))" : "")
                for signature in row.signaturesOnlyInBaseline {
                    text += item(
                        "\(code(name, markdown)): only in \(row.baseline.label): \(signature.count)× \(code(signature.signature, markdown)) (e.g. \(signature.exampleTrialID))"
                    )
                }
                for signature in row.signaturesOnlyInOther {
                    text += item(
                        "\(code(name, markdown)): only in \(row.other.label): \(signature.count)× \(code(signature.signature, markdown)) (e.g. \(signature.exampleTrialID))"
                    )
                }
            }
        }
        if !comparison.unmatched.isEmpty {
            text += "\n" + heading(comparison.key == nil ? "Cells in one run only" : "Cells without the baseline level")
            for cell in comparison.unmatched {
                let rate = SummaryTable.rateText(cell.successRate, nil)
                text += item(
                    "\(code((cell.scenario.isEmpty ? "" : cell.scenario + " ") + cell.cellID, markdown)) [\(cell.engine)]: only in \(cell.side) (\(cell.trials) trials, rate \(rate))"
                )
            }
        }
        return text
    }

    private static func showScenario(_ comparison: Comparison) -> Bool {
        Set(comparison.rows.map(\.scenario)).count > 1
    }

    /// A difference of rates in percentage points: "+50.0 pp".
    static func points(_ value: Double) -> String {
        String(format: "%+.1f pp", value * 100)
    }

    /// p-values: three decimals, or scientific notation below 0.001.
    static func pText(_ p: Double) -> String {
        p < 0.001 ? String(format: "%.1e", p) : String(format: "%.3f", p)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }

    private static func code(_ text: String, _ markdown: Bool) -> String {
        markdown ? "`\(text.replacingOccurrences(of: "`", with: "'"))`" : text
    }
}
