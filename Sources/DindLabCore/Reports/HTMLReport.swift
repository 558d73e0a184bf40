package import Foundation

/// `report.html`: the run at a glance, in one self-contained file: no script, no stylesheet, font
/// or image fetched from anywhere (a Content-Security-Policy says so to the browser too), so it
/// opens the same from a CI artifact, a mail attachment or a file share.
///
/// Per scenario: a heat map of its cells (`HeatMapLayout`, with a header for every axis; the
/// colour is the cell's judgement: green only when it passed, red to orange by its rate when it
/// failed its expectation or, without one, had failed trials, grey without a rate or when it was
/// skipped; text = rate and n, or "skipped" and why; a failed expectation is outlined), a bar per
/// cell with its 95% interval and the expectation's threshold, each cell's median seconds per
/// phase, and the signature table with counts and a link to an example trial's forensics.md.
/// All text from results is escaped.
package enum HTMLReport {
    /// Renders the report.
    /// - Parameters:
    ///   - report: The run.
    ///   - location: The folder the HTML file will be written to; artifact links are relative
    ///     from there to the run folder. By default the run folder itself.
    /// - Returns: The HTML document.
    package static func render(_ report: RunReport, location: URL? = nil) -> String {
        let runPath = RelativePath.from(location ?? report.directory, to: report.directory)
        var body: [String] = []
        body.append("<h1>dindlab run \(text(report.manifest.runID.description))</h1>")
        body.append("<p class=\"meta\">\(text(report.runLine))</p>")
        body.append(verdictSection(report))
        for scenario in report.summary.scenarios {
            body.append(scenarioSection(scenario, report: report, runPath: runPath))
        }
        if !report.summary.corruptLines.isEmpty {
            body.append(
                "<h2>Unreadable lines of trials.jsonl</h2>\n<ul>"
                    + report.summary.corruptLines.map { "<li>\(text($0.description))</li>" }.joined()
                    + "</ul>")
        }
        body.append(enginesSection(report))
        return HTMLDocument.page(
            title: "dindlab run \(text(report.manifest.runID.description))", style: style, body: body)
    }

    // MARK: - Sections

    private static func verdictSection(_ report: RunReport) -> String {
        let status = report.verdict.exitCode
        var html = "<div class=\"verdict status\(status)\"><strong>\(text(report.verdict.description))</strong>"
        let failed = report.failedExpectations
        let unjudged = report.unjudgedCells.filter { $0.judgement.verdict == .notJudged }
        let skipped = report.skippedCells
        if !failed.isEmpty || !unjudged.isEmpty || !skipped.isEmpty {
            html += "<ul>"
            for entry in failed {
                html +=
                    "<li>Expectation failed: <b>\(text(entry.scenario))</b> <code>\(text(report.name(of: entry.cell)))</code>: \(text(entry.judgement.explanation))</li>"
            }
            for entry in unjudged {
                html +=
                    "<li>Not judged: <b>\(text(entry.scenario))</b> <code>\(text(report.name(of: entry.cell)))</code>: \(text(entry.judgement.explanation))</li>"
            }
            for entry in skipped {
                html +=
                    "<li>Skipped: <b>\(text(entry.scenario))</b> <code>\(text(report.name(of: entry.cell)))</code>: \(text(entry.judgement.explanation))</li>"
            }
            html += "</ul>"
        }
        return html + "</div>"
    }

    private static func scenarioSection(_ scenario: ScenarioTally, report: RunReport, runPath: String) -> String {
        var html = "<section class=\"scenario\">\n<h2>\(text(scenario.name))</h2>\n"
        if let expectation = scenario.expectation {
            html +=
                "<p>Expect success rate <b>\(text(expectation.description))</b>"
                + (report.strict ? ", judged by the 95% interval (strict)" : "") + ".</p>\n"
        }
        let engines = scenario.cells.reduce(into: [String]()) { if !$0.contains($1.engine) { $0.append($1.engine) } }
        for engine in engines {
            let cells = scenario.cells.filter { $0.engine == engine }
            if engines.count > 1 { html += "<h3>engine \(text(engine))</h3>\n" }
            html += heatMap(HeatMapLayout(cells: cells), report: report)
        }
        html += "<h3>Success rates with 95% intervals</h3>\n" + bars(scenario, report: report)
        html += phaseTable(scenario, report: report)
        html += "<h3>Signatures</h3>\n" + signatureTable(scenario, report: report, runPath: runPath)
        return html + "</section>"
    }

    private static func heatMap(_ layout: HeatMapLayout, report: RunReport) -> String {
        var html = ""
        if !layout.constant.isEmpty {
            html +=
                "<p class=\"none\">In every cell: \(text(layout.constant.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")))</p>\n"
        }
        html += "<table class=\"heat\">\n"
        if let columnKey = layout.columnKey {
            html +=
                "<tr><th class=\"corner\">\(text(layout.rowKeys.joined(separator: ", "))) \\ \(text(columnKey))</th>"
                + layout.columns.map { "<th>\(text($0))</th>" }.joined() + "</tr>\n"
        } else {
            // A list (one matrix key, or none): the rows' key heads them, the cells' column says what it shows.
            let rowHeader = layout.rowKeys.isEmpty ? "cell" : layout.rowKeys.joined(separator: ", ")
            html += "<tr><th class=\"corner\">\(text(rowHeader))</th><th>success rate</th></tr>\n"
        }
        for (row, label) in layout.rows.enumerated() {
            html += "<tr><th>\(text(label))</th>"
            for cell in layout.grid[row] {
                html += cell.map { heatCell($0, report: report) } ?? "<td class=\"empty\"></td>"
            }
            html += "</tr>\n"
        }
        return html + "</table>\n"
    }

    private static func heatCell(_ cell: CellTally, report: RunReport) -> String {
        let judgement = report.judgement(of: cell)
        let classes =
            ["cell"] + (judgement.verdict == .expectationFailed ? ["failed"] : [])
            + (judgement.verdict == .skipped ? ["skipped"] : [])
        let title =
            "<td class=\"\(classes.joined(separator: " "))\" style=\"background:\(colour(cell, judgement))\" title=\"\(text(report.name(of: cell) + ": " + judgement.explanation))\">"
        if judgement.verdict == .skipped, let skipped = cell.skipped {
            return title + "<span class=\"rate\">skipped</span><span class=\"n\">\(skipped.trials) not run</span>"
                + "<span class=\"why\">\(text(skipped.reason))</span></td>"
        }
        let rate = cell.successRate.map(SummaryTable.percent) ?? "no rate"
        return title
            + "<span class=\"rate\">\(text(rate))</span><span class=\"n\">n=\(cell.trials)\(cell.errors > 0 ? ", \(cell.errors) err" : "")</span></td>"
    }

    private static func bars(_ scenario: ScenarioTally, report: RunReport) -> String {
        let width = 320.0
        var html = "<table class=\"bars\">\n"
        for cell in scenario.cells {
            let judgement = report.judgement(of: cell)
            var svg =
                "<svg width=\"\(Int(width))\" height=\"18\" viewBox=\"0 0 \(Int(width)) 18\" role=\"img\" aria-label=\"\(text(SummaryTable.rateText(cell.successRate, cell.interval)))\">"
            svg += "<rect x=\"0\" y=\"3\" width=\"\(Int(width))\" height=\"12\" fill=\"#eee\"/>"
            if let rate = cell.successRate {
                svg +=
                    "<rect x=\"0\" y=\"3\" width=\"\(number(rate * width))\" height=\"12\" fill=\"\(colour(cell, judgement, strong: true))\"/>"
            }
            if let interval = cell.interval {
                let low = number(interval.lower * width)
                let high = number(interval.upper * width)
                svg += "<line x1=\"\(low)\" y1=\"9\" x2=\"\(high)\" y2=\"9\" stroke=\"#222\" stroke-width=\"1.5\"/>"
                svg += "<line x1=\"\(low)\" y1=\"4\" x2=\"\(low)\" y2=\"14\" stroke=\"#222\" stroke-width=\"1.5\"/>"
                svg += "<line x1=\"\(high)\" y1=\"4\" x2=\"\(high)\" y2=\"14\" stroke=\"#222\" stroke-width=\"1.5\"/>"
            }
            if let threshold = cell.expectation?.expectation.threshold {
                let x = number(min(max(threshold * width, 1), width - 1))
                svg +=
                    "<line x1=\"\(x)\" y1=\"0\" x2=\"\(x)\" y2=\"18\" stroke=\"#1a56c4\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>"
            }
            svg += "</svg>"
            html +=
                "<tr\(judgement.verdict == .expectationFailed ? " class=\"failed\"" : "")><th>\(text(report.name(of: cell)))</th><td>\(svg)</td>"
                + "<td class=\"num\">\(text(judgement.verdict == .skipped ? "skipped" : SummaryTable.rateText(cell.successRate, cell.interval)))</td><td class=\"num\">n=\(cell.trials)</td>"
                + "<td>\(text(MarkdownReport.verdictText(judgement).replacingOccurrences(of: "*", with: "")))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    private static func signatureTable(_ scenario: ScenarioTally, report: RunReport, runPath: String) -> String {
        let rows = scenario.cells.flatMap { cell in
            cell.signatures.filter { $0.outcome != .pass || $0.signature != SignatureCount.missing }.map {
                (cell: cell, signature: $0)
            }
        }.sorted { $0.signature.count > $1.signature.count }
        guard !rows.isEmpty else { return "<p class=\"none\">No trial failed, timed out or errored.</p>\n" }
        var html =
            "<table class=\"signatures\">\n<tr><th>count</th><th>outcome</th><th>signature</th><th>cell</th><th>example trial</th></tr>\n"
        for row in rows {
            let trial = row.signature.exampleTrialID
            // The example's forensics.md: outcome, first error with its daemon.log line, what differs.
            let example =
                report.artifactsPath(of: trial).map { path in
                    let index = report.directory.appendingPathComponent(path).appendingPathComponent(
                        ForensicsDigest.markdownFileName)
                    let target =
                        runPath + path + "/"
                        + (FileManager.default.fileExists(atPath: index.path) ? ForensicsDigest.markdownFileName : "")
                    let href = target.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? target
                    return "<a href=\"\(text(href))\">\(text(trial))</a>"
                } ?? "\(text(trial)) <span class=\"none\">(no artifacts)</span>"
            html +=
                "<tr><td class=\"num\">\(row.signature.count)</td><td>\(text(row.signature.outcome.description))</td>"
                + "<td class=\"sig\">\(text(row.signature.signature))</td><td>\(text(report.name(of: row.cell)))</td><td>\(example)</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// Each cell's median seconds per phase, as `run` prints them under its table.
    private static func phaseTable(_ scenario: ScenarioTally, report: RunReport) -> String {
        let cells = scenario.cells.filter { $0.phaseMedians != nil }
        guard !cells.isEmpty else { return "" }
        var html =
            "<h3>Median seconds per phase</h3>\n<table class=\"phases\">\n<tr><th>cell</th>"
            + TrialPhase.allCases.map { "<th class=\"num\">\(text($0.rawValue))</th>" }.joined() + "</tr>\n"
        for cell in cells {
            let medians = cell.phaseMedians ?? [:]
            html +=
                "<tr><th>\(text(report.name(of: cell)))</th>"
                + TrialPhase.allCases.map { phase in
                    "<td class=\"num\">\(medians[phase].map { String(format: "%.2f", $0) } ?? "—")</td>"
                }.joined()
                + "</tr>\n"
        }
        return html + "</table>\n"
    }

    private static func enginesSection(_ report: RunReport) -> String {
        var html = "<section class=\"engines\">\n<h2>Engines</h2>\n"
        for engine in report.manifest.engines {
            html +=
                "<h3>\(text(engine.name))\(engine.endpoint.map { " <small>\(text($0))</small>" } ?? "")</h3>\n<table class=\"fingerprint\">\n"
            for line in engine.fingerprint.lines {
                html += "<tr><th>\(text(line.name))</th><td>\(text(line.value))</td></tr>\n"
            }
            html += "</table>\n"
        }
        if report.manifest.engines.isEmpty { html += "<p class=\"none\">The manifest names no engine.</p>\n" }
        return html + "</section>"
    }

    // MARK: - Helpers

    /// A cell's colour says its judgement, not only its rate, so a failed cell is never green:
    /// green (a little paler the lower the rate) when it passed; red through orange by its rate
    /// when it failed its expectation or, without one, had failed trials; grey without a rate;
    /// a lighter grey when it was skipped. `strong` for bars on white.
    static func colour(_ cell: CellTally, _ judgement: CellJudgement, strong: Bool = false) -> String {
        guard let rate = cell.successRate, judgement.verdict != .skipped else {
            return judgement.verdict == .skipped ? "#e2e2e2" : "#d0d0d0"
        }
        let clamped = max(0, min(1, rate))
        let hue: Int
        switch judgement.verdict {
        case .passed: hue = 100 + Int((clamped * 20).rounded())  // 100 (yellow-green) to 120 (green)
        case .expectationFailed, .trialsFailed: hue = Int((clamped * 40).rounded())  // 0 (red) to 40 (orange)
        case .notJudged, .skipped: return "#d0d0d0"
        }
        return strong ? "hsl(\(hue), 65%, 45%)" : "hsl(\(hue), 70%, 72%)"
    }

    private static func text(_ value: String) -> String {
        ReportEscaping.markup(value)
    }

    private static func number(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    private static let style = """
        body{font:14px/1.45 "DejaVu Sans",system-ui,sans-serif;margin:24px 32px;color:#1d1d1f;background:#fff}\
        h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}\
        h3{font-size:14px;margin:16px 0 6px;color:#444}.meta{color:#555;margin:0 0 12px}\
        .verdict{padding:8px 12px;border-radius:4px;margin:8px 0 12px}.verdict ul{margin:6px 0 0;padding-left:20px}\
        .status0{background:#e3f4e1;border:1px solid #7bc47f}.status1{background:#fde2e1;border:1px solid #e0736f}\
        .status2{background:#fff3cd;border:1px solid #e0b84f}\
        table{border-collapse:collapse;margin:4px 0}th{text-align:left;font-weight:600;padding:3px 8px}\
        td{padding:3px 8px;vertical-align:middle}code{font-family:"DejaVu Sans Mono",monospace;font-size:12px}\
        .heat th{background:#f4f4f4;border:2px solid #fff;font-size:12px}.heat .corner{color:#666;font-weight:400}\
        .heat td{width:120px;height:46px;text-align:center;border:2px solid #fff}\
        .heat .rate{display:block;font-weight:700;font-size:15px}.heat .n{display:block;font-size:11px;color:#333}\
        .heat td.failed{box-shadow:inset 0 0 0 3px #b00020}.heat td.empty{background:#fafafa}\
        .heat td.skipped{color:#555;border:2px dashed #aaa}.heat .why{display:block;font-size:10px;color:#555;max-width:220px;word-break:break-word}\
        .phases td,.phases th{border-bottom:1px solid #eee;font-size:12px}\
        .bars th{font-weight:400;font-size:12px}.bars tr.failed th{color:#b00020;font-weight:700}\
        .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
        .signatures td,.signatures th,.fingerprint td,.fingerprint th{border-bottom:1px solid #eee;font-size:12px}\
        .sig{font-family:"DejaVu Sans Mono",monospace;word-break:break-word;max-width:640px}.none{color:#777}
        """
}
