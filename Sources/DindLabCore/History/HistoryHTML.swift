package import Foundation

/// `history.html`: every cell across the nights in one self-contained file, in the style of
/// report.html (no script, no fetch; a Content-Security-Policy says so to the browser too).
///
/// The grid has a row per cell (grouped by scenario) and a column per night, the latest first;
/// its header row and the cell names stay in view while it scrolls. An entry's colour is its
/// success rate against the cell's expectation that night: green when it holds, orange when the
/// rate misses it but the 95% interval does not, red when the whole interval misses; without an
/// expectation, the rate itself from red (0%) to green (100%); grey where
/// the cell was skipped, had only errors, or was not in that night. Each entry links to that
/// night's report.html. Then each cell's class with the sentence that explains it, and every
/// signature with the night it was first seen.
package enum HistoryHTML {
    /// Renders the page.
    /// - Parameters:
    ///   - history: The history.
    ///   - location: The folder the file will be written to; links to the nights' reports are
    ///     relative from there.
    /// - Returns: The HTML document.
    package static func render(_ history: History, location: URL) -> String {
        let links = history.nights.map { night in
            href(RelativePath.from(location, to: night.directory) + ReportFiles.htmlFileName)
        }
        var body: [String] = []
        body.append("<h1>dindlab history</h1>")
        body.append(
            "<p class=\"meta\">\(text(HistoryReport.headline(history, columns: Int.max).replacingOccurrences(of: "\n", with: " ")))</p>"
        )
        body.append(verdict(history))
        body.append(grid(history, links: links))
        body.append(legend)
        body.append(classes(history))
        body.append(signatures(history, location: location, links: links))
        if !history.warnings.isEmpty {
            body.append("<h2>Warnings</h2>\n<ul>" + history.warnings.map { "<li>\(text($0))</li>" }.joined() + "</ul>")
        }
        return HTMLDocument.page(title: "dindlab history", style: style, body: body)
    }

    // MARK: - Sections

    private static func verdict(_ history: History) -> String {
        let regressed = history.regressedCells
        var html = "<div class=\"verdict \(regressed.isEmpty ? "status0" : "status1")\"><strong>"
        html +=
            regressed.isEmpty
            ? "No cell regressed in the latest night."
            : "\(regressed.count) cell\(regressed.count == 1 ? "" : "s") regressed in the latest night."
        html +=
            "</strong> "
            + history.classCounts.map {
                "<span class=\"badge \($0.classification.rawValue)\">\($0.count) \(text($0.classification.description))</span>"
            }.joined(separator: " ")
        if !regressed.isEmpty {
            html +=
                "<ul>"
                + regressed.map {
                    "<li><b>\(text($0.scenario))</b> <code>\(text(history.name(of: $0)))</code>: \(text(history.explanation(of: $0)))</li>"
                }.joined() + "</ul>"
        }
        return html + "</div>"
    }

    private static func grid(_ history: History, links: [String]) -> String {
        let nights = Array(history.nights.reversed())
        // A year of nights is 40,000 entries and more: each is written straight into one string,
        // with the parts that repeat (a night's link and label) made once.
        let labels = history.nights.map { text($0.dateLabel) }
        let headers = history.columnLabels
        var html =
            "<h2>Cells × nights</h2>\n<div class=\"scroll\"><table class=\"grid\">\n<thead><tr><th class=\"name corner\">cell</th><th class=\"cls\">class</th><th class=\"p\">p (Holm)</th>"
        html.reserveCapacity(200 * history.cells.count * max(1, nights.count))
        for night in nights {
            let title =
                "\(night.dateLabel) · run \(night.runIDs.map(\.rawValue).joined(separator: ", "))"
                + (night.provenance.map { " · \($0)" } ?? "")
                + " · \(night.trialCount) trials" + (night.seed.map { " · seed \($0)" } ?? "")
            let date = headers[night.index].split(separator: " ", maxSplits: 1)
            html +=
                "<th class=\"night\" title=\"\(text(title))\"><a href=\"\(links[night.index])\">\(text(String(date.first ?? "")))<br>\(text(String(date.last ?? "")))</a></th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for scenario in history.scenarioNames {
            let changes = Dictionary(
                history.changes(of: scenario).map { ($0.night, $0) }, uniquingKeysWith: { first, _ in first })
            html += "<tr class=\"scenario\"><th class=\"name\" colspan=\"3\">\(text(scenario))</th>"
            for night in nights {
                if let change = changes[night.index] {
                    html +=
                        "<td class=\"changed\" title=\"\(text("The scenario file changed on this night: sha256 \(change.previousSHA256.prefix(12))… → \(change.sha256.prefix(12))…"))\">file changed</td>"
                } else {
                    html += "<td></td>"
                }
            }
            html += "</tr>\n"
            var expectationTexts: [SuccessRateExpectation: String] = [:]
            for cell in history.cells where cell.scenario == scenario {
                let kind = cell.trend.classification
                html +=
                    "<tr><th class=\"name\" title=\"\(text(cell.cellValues.description))\">\(text(history.name(of: cell)))</th>"
                html +=
                    "<td class=\"cls\"><span class=\"badge \(kind.rawValue)\" title=\"\(text(history.explanation(of: cell)))\">\(text(kind.description))</span></td>"
                html += "<td class=\"p num\">\(text(HistoryReport.adjustedText(cell.trend)))</td>"
                for night in nights {
                    let changed = changes[night.index] != nil
                    guard let entry = cell.entries[night.index] else {
                        html += changed ? "<td class=\"e a changed\"></td>" : "<td class=\"e a\"></td>"
                        continue
                    }
                    let colour = colour(of: entry)
                    html += "<td class=\"e " + colour.class + (changed ? " changed\"" : "\"")
                    if let style = colour.style { html += " style=\"background:" + style + "\"" }
                    html += " title=\"" + labels[night.index] + ": \(entry.passes) passed"
                    if entry.fails > 0 { html += ", \(entry.fails) failed" }
                    if entry.timeouts > 0 { html += ", \(entry.timeouts) timed out" }
                    if entry.errors > 0 { html += ", \(entry.errors) errors" }
                    if let reason = entry.skippedReason, entry.counted == 0 { html += "; skipped: " + text(reason) }
                    if let expectation = entry.expectation {
                        let described: String
                        if let cached = expectationTexts[expectation] {
                            described = cached
                        } else {
                            described = text(expectation.description)
                            expectationTexts[expectation] = described
                        }
                        html += "; expect " + described
                        if let holds = entry.expectationHolds { html += holds ? " (holds)" : " (missed)" }
                    }
                    if let signature = entry.topSignature { html += "; most frequent signature: " + text(signature) }
                    html += "\"><a href=\"" + links[night.index] + "\">"
                    if let rate = entry.successRate {
                        html += "\(Int((rate * 100).rounded()))%<i>\(entry.counted)</i>"
                    } else {
                        html += entry.skippedReason != nil ? "<i>skip</i>" : "<i>err</i>"
                    }
                    html += "</a></td>"
                }
                html += "</tr>\n"
            }
        }
        return html + "</tbody></table></div>\n"
    }

    private static func classes(_ history: History) -> String {
        var html =
            "<h2>Classes</h2>\n<table class=\"explain\">\n<tr><th>scenario</th><th>cell</th><th>class</th><th>why</th></tr>\n"
        // Grouped by class in the order the classes are declared, in history order within a class.
        let grouped = HistoryClass.allCases.flatMap { kind in history.cells.filter { $0.trend.classification == kind } }
        for cell in grouped {
            html +=
                "<tr><td>\(text(cell.scenario))</td><td><code>\(text(history.name(of: cell)))</code></td>"
                + "<td><span class=\"badge \(cell.trend.classification.rawValue)\">\(text(cell.trend.classification.description))</span></td>"
                + "<td>\(text(history.explanation(of: cell)))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    private static func signatures(_ history: History, location: URL, links: [String]) -> String {
        var html = "<h2>Signatures, newest first</h2>\n"
        guard !history.signatures.isEmpty else {
            return html + "<p class=\"none\">No trial failed, timed out or errored in these nights.</p>\n"
        }
        let latest = history.nights.count - 1
        html +=
            "<table class=\"signatures\">\n<tr><th>first seen</th><th>scenario</th><th>outcome</th><th>trials</th><th>nights</th><th>signature</th><th>cells</th><th>first trial</th></tr>\n"
        for signature in history.signatures {
            let night = history.nights[signature.firstNight]
            let example =
                signature.exampleArtifactsPath.map { path in
                    "<a href=\"\(href(RelativePath.from(location, to: signature.exampleRunDirectory) + path + "/"))\">\(text(signature.exampleTrialID))</a>"
                } ?? text(signature.exampleTrialID)
            html +=
                "<tr\(signature.firstNight == latest ? " class=\"new\"" : "")><td class=\"when\"><a href=\"\(links[signature.firstNight])\">\(text(night.dateLabel))</a>"
                + (signature.firstNight == latest ? " <span class=\"badge new\">new</span>" : "") + "</td>"
                + "<td>\(text(signature.scenario))</td><td>\(text(signature.outcome.description))</td><td class=\"num\">\(signature.count)</td>"
                + "<td class=\"num\">\(signature.nightCount)</td><td class=\"sig\">\(text(signature.signature))</td>"
                + "<td>\(text(signature.cells.joined(separator: "; ")))</td><td>\(example)</td></tr>\n"
        }
        return html + "</table>\n"
    }

    private static let legend = """
        <p class="legend"><span class="swatch" style="background:\(holds)"></span>expectation holds \
        <span class="swatch" style="background:\(missedByRate)"></span>rate misses it, interval does not \
        <span class="swatch" style="background:\(missedByInterval)"></span>whole 95% interval misses it \
        <span class="swatch" style="background:linear-gradient(90deg,hsl(0,70%,72%),hsl(60,70%,72%),hsl(120,70%,72%))"></span>no expectation: 0% to 100% \
        <span class="swatch" style="background:\(grey)"></span>skipped or only errors \
        <span class="swatch absent"></span>not in that night. \
        A number is the success rate; below it, n (passes, fails and timeouts). Click an entry for that night's report.</p>
        """

    // MARK: - Helpers

    static let holds = "hsl(120, 55%, 70%)"
    static let missedByRate = "hsl(32, 90%, 66%)"
    static let missedByInterval = "hsl(0, 72%, 62%)"
    static let grey = "#c8c8c8"

    /// The entry's colour: against its expectation when it has one, else by its rate.
    static func colour(_ entry: HistoryEntry) -> String {
        guard let rate = entry.successRate else { return grey }
        guard let expectation = entry.expectation else { return rateColour(rate) }
        if expectation.holds(rate: rate) { return holds }
        if let interval = entry.interval, !expectation.holds(interval: interval) { return missedByInterval }
        return missedByRate
    }

    /// Without an expectation: red (0%) through yellow to green (100%).
    static func rateColour(_ rate: Double) -> String {
        "hsl(\(Int((max(0, min(1, rate)) * 120).rounded())), 70%, 72%)"
    }

    /// The entry's colour as a class of the stylesheet (the fixed colours: h, m, x, g) or, by
    /// rate without an expectation, an inline style.
    private static func colour(of entry: HistoryEntry) -> (class: String, style: String?) {
        switch colour(entry) {
        case holds: ("h", nil)
        case missedByRate: ("m", nil)
        case missedByInterval: ("x", nil)
        case grey: ("g", nil)
        case let other: ("r", other)
        }
    }

    private static func text(_ value: String) -> String {
        ReportEscaping.markup(value)
    }

    private static func href(_ path: String) -> String {
        text(path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)
    }

    private static let style = """
        body{font:14px/1.45 "DejaVu Sans",system-ui,sans-serif;margin:24px 32px;color:#1d1d1f;background:#fff}\
        h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}\
        .meta{color:#555;margin:0 0 12px}.none{color:#777}code{font-family:"DejaVu Sans Mono",monospace;font-size:12px}\
        .verdict{padding:8px 12px;border-radius:4px;margin:8px 0 12px}.verdict ul{margin:6px 0 0;padding-left:20px}\
        .status0{background:#e3f4e1;border:1px solid #7bc47f}.status1{background:#fde2e1;border:1px solid #e0736f}\
        table{border-collapse:separate;border-spacing:0}th{text-align:left;font-weight:600;padding:3px 8px}td{padding:3px 8px}\
        .scroll{display:inline-block;overflow:auto;max-height:80vh;max-width:100%;border:1px solid #ddd}\
        .grid thead th{position:sticky;top:0;background:#f4f4f4;z-index:2;border-bottom:1px solid #ccc}\
        .grid th.name{position:sticky;left:0;background:#fff;z-index:1;white-space:nowrap;font-weight:400;font-size:12px;border-right:1px solid #ddd}\
        .grid thead th.corner{z-index:3;background:#f4f4f4;font-weight:600;font-size:14px}\
        .grid thead th{white-space:nowrap}.grid th.night{font-size:11px;font-weight:400;text-align:center;padding:2px 3px;min-width:40px}.grid th.night a{color:#1d1d1f;text-decoration:none}\
        .grid tr.scenario th.name{font-weight:700;font-size:13px;background:#fafafa;padding-top:8px}.grid tr.scenario td{background:#fafafa;font-size:10px}\
        .grid td.changed{box-shadow:inset 3px 0 0 #1a56c4}.grid tr.scenario td.changed{color:#1a56c4;white-space:nowrap}\
        .grid td.e{text-align:center;padding:0;border:1px solid #fff;min-width:40px;height:34px}\
        .grid td.e a{display:block;color:#1d1d1f;text-decoration:none;padding:2px 3px;font-weight:700;font-size:12px}\
        .grid td.e i{display:block;font-style:normal;font-weight:400;font-size:10px;color:#333}\
        .grid td.a{background:#f1f1f1}.grid td.h{background:\(holds)}.grid td.m{background:\(missedByRate)}\
        .grid td.x{background:\(missedByInterval)}.grid td.g{background:\(grey)}.grid td.cls,.grid td.p{white-space:nowrap;font-size:12px;background:#fff}\
        .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
        .badge{display:inline-block;padding:1px 7px;border-radius:9px;font-size:11px;font-weight:600;color:#fff;background:#888}\
        .badge.regressed{background:#c0182b}.badge.failing{background:#7a1020}.badge.flaky{background:#d9822b}\
        .badge.new{background:#1a56c4}.badge.recovered{background:#138a72}.badge.passing{background:#2e8b3e}\
        .badge.gone,.badge.no-rate{background:#8a8a8a}\
        .legend{font-size:12px;color:#444}.swatch{display:inline-block;width:14px;height:14px;vertical-align:middle;margin:0 4px 0 12px;border:1px solid #bbb}\
        .swatch.absent{background:#f1f1f1}\
        .explain td,.explain th,.signatures td,.signatures th{border-bottom:1px solid #eee;font-size:12px;vertical-align:top}\
        .signatures tr.new td{background:#eef3fd}.signatures td.when{white-space:nowrap}.sig{font-family:"DejaVu Sans Mono",monospace;word-break:break-word;max-width:560px}
        """
}
