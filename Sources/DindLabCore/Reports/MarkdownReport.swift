import Foundation

/// `summary.md`: the run for a CI job's summary page (GitHub's `$GITHUB_STEP_SUMMARY`, a merge
/// request comment). What needs attention comes first: the expectations that failed and the
/// cells that could not be judged, the cells skipped with the reason; then one table per scenario (cell, n, rate with its 95%
/// interval, top signature); then the engines' fingerprints.
package enum MarkdownReport {
    /// Renders the report. Text from results (names, signatures, fingerprints) is escaped; the
    /// report's own sentences (rates, expectations, verdicts) are written as they are.
    /// - Parameter report: The run.
    /// - Returns: GitHub-flavoured Markdown.
    package static func render(_ report: RunReport) -> String {
        var lines: [String] = []
        lines.append("# dindlab run \(cell(report.manifest.runID.description))")
        lines.append("")
        lines.append(report.runLine)
        lines.append("")

        let failed = report.failedExpectations
        let unjudged = report.unjudgedCells.filter { $0.judgement.verdict == .notJudged }
        let skipped = report.skippedCells
        if report.verdict.exitCode == 0 && report.verdict.notes.isEmpty {
            lines.append("**Every expectation holds** (\(report.verdict.description)).")
        } else {
            lines.append("**\(report.verdict.description)**")
        }
        lines.append("")
        // What needs attention: one list each, with what explains every cell.
        func list(
            _ title: String, _ entries: [(scenario: String, cell: CellTally, judgement: CellJudgement)],
            _ text: (CellTally, CellJudgement) -> String
        ) {
            guard !entries.isEmpty else { return }
            lines.append("## \(title)")
            lines.append("")
            for entry in entries {
                lines.append(
                    "- **\(cell(entry.scenario))** `\(code(report.name(of: entry.cell)))`: \(text(entry.cell, entry.judgement))"
                )
            }
            lines.append("")
        }
        list("Expectations that failed", failed) { _, judgement in judgement.explanation }
        list("Cells that could not be judged", unjudged) { tally, judgement in
            judgement.explanation
                + (report.topSignatures(of: tally, limit: 1).first.map { "; first: \(cell($0.signature))" } ?? "")
        }
        list("Cells skipped (not run)", skipped) { _, judgement in cell(judgement.explanation) }
        if let missing = report.missingTrials, missing > 0 {
            lines.append(
                "> \(missing) planned trial\(missing == 1 ? " has" : "s have") no record (a shard that did not report, or a run that stopped early)."
            )
            lines.append("")
        }

        for scenario in report.summary.scenarios {
            lines.append("## \(cell(scenario.name))")
            lines.append("")
            if let expectation = scenario.expectation {
                lines.append(
                    "Expect success rate \(expectation.description)"
                        + (report.strict ? " (judged by the 95% interval)." : "."))
                lines.append("")
            }
            lines.append("| cell | n | pass | fail | t/o | err | rate [95% CI] | verdict | top signature |")
            lines.append("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |")
            for tally in scenario.cells {
                let judgement = report.judgement(of: tally)
                let top =
                    report.topSignatures(of: tally, limit: 1).first.map { "\($0.count)× \(cell($0.signature))" } ?? ""
                let n = "\(tally.trials)" + (tally.skipped.map { " (+\($0.trials) skipped)" } ?? "")
                let row = [
                    "`\(code(report.name(of: tally)))`", n, "\(tally.passes)", "\(tally.fails)", "\(tally.timeouts)",
                    "\(tally.errors)",
                    SummaryTable.rateText(tally.successRate, tally.interval), verdictText(judgement), top,
                ]
                lines.append("| " + row.joined(separator: " | ") + " |")
            }
            lines.append("")
        }

        if !report.summary.corruptLines.isEmpty {
            lines.append("## Unreadable lines of trials.jsonl")
            lines.append("")
            for line in report.summary.corruptLines {
                lines.append("- \(cell(line.description))")
            }
            lines.append("")
        }

        lines.append("## Engines")
        lines.append("")
        if report.manifest.engines.isEmpty {
            lines.append("The manifest names no engine.")
            lines.append("")
        }
        for engine in report.manifest.engines {
            lines.append("### \(cell(engine.name))" + (engine.endpoint.map { " (\(cell($0)))" } ?? ""))
            lines.append("")
            lines.append("| | |")
            lines.append("| --- | --- |")
            for line in engine.fingerprint.lines {
                lines.append("| \(cell(line.name)) | \(cell(line.value)) |")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    static func verdictText(_ judgement: CellJudgement) -> String {
        switch judgement.verdict {
        case .passed: "pass"
        case .expectationFailed: "**FAILED**"
        case .trialsFailed: "failures"
        case .notJudged: "not judged"
        case .skipped: "skipped"
        }
    }

    private static func cell(_ text: String) -> String {
        ReportEscaping.markdownCell(text)
    }

    /// Text inside a code span in a table: backticks cannot be escaped there, so they become
    /// quotes; `|` still needs its backslash in GitHub's tables.
    private static func code(_ text: String) -> String {
        text.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\n", with: " ")
    }
}
