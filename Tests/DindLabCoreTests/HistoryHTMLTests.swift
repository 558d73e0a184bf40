import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

/// history.html: the grid of cells × nights, links to each night's report.html, colours against
/// the expectation, self-contained; and a headless browser really draws it.
@Suite("History: history.html")
struct HistoryHTMLTests {
    /// The Done-when's five nights, plus a cell skipped every night (a 1.7-era image not built).
    static func history(in root: URL) async throws -> History {
        let nights = root.appendingPathComponent("history")
        for day in 0..<5 {
            let last = day == 4
            try await HistoryFixtures.night(
                in: nights, runID: "night-\(day + 1)", day: Double(day),
                cells: [
                    .role(
                        "steady", passes: last ? 4 : 10, fails: last ? 6 : 0,
                        signature: "inner: umount <path>/shm: <&> busy"),
                    .role("flaky", passes: 7, fails: 3),
                ], skipped: [("role=v17", "the outer image dindlab/outer:1.7.1 is not on the engine default")])
        }
        return try HistoryReader.read([nights])
    }

    @Test("every cell is a row and every night a column (latest first), each entry linking to that night's report.html")
    func grid() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let history = try await Self.history(in: root.url)
        let html = HistoryHTML.render(history, location: root.url.appendingPathComponent("site"))
        for cell in history.cells {
            #expect(html.contains(">\(ReportEscaping.markup(cell.cellID))</th>"), "no row for \(cell.cellID)")
        }
        // Night headers, latest first, each a link to the night's report.
        let headers = (1...5).reversed().map { "<a href=\"../history/night-\($0)/report.html\">" }
        let positions = headers.compactMap { html.range(of: $0)?.lowerBound }
        #expect(positions.count == 5 && positions == positions.sorted())
        // Entries: 40% of 10 on the last night, red (the whole interval misses >= 0.9); 100% green.
        #expect(
            html.contains(
                "<td class=\"e x\" title=\"\(history.nights[4].dateLabel): 4 passed, 6 failed; expect &gt;= 0.9 (missed); most frequent signature: inner: umount &lt;path&gt;/shm: &lt;&amp;&gt; busy\"><a href=\"../history/night-5/report.html\">40%<i>10</i></a></td>"
            ))
        #expect(
            html.contains(
                "<td class=\"e h\" title=\"\(history.nights[3].dateLabel): 10 passed; expect &gt;= 0.9 (holds)\">"))
        #expect(
            html.contains(".grid td.h{background:\(HistoryHTML.holds)}")
                && html.contains(".grid td.x{background:\(HistoryHTML.missedByInterval)}"))
        // The skipped cell is grey, with its reason.
        #expect(
            html.contains(
                "<td class=\"e g\" title=\"\(history.nights[0].dateLabel): 0 passed; skipped: the outer image dindlab/outer:1.7.1"
            ))
        // Classes and the new signature.
        #expect(html.contains("<span class=\"badge regressed\""))
        #expect(html.contains("<span class=\"badge flaky\""))
        #expect(html.contains("1 cell regressed in the latest night."))
        #expect(html.contains("<span class=\"badge new\">new</span>"))
        #expect(html.contains("<a href=\"../history/night-5/artifacts/nightly-c0-t0/\">nightly-c0-t0</a>"))
        // Sticky headers and names.
        #expect(html.contains(".grid thead th{position:sticky;top:0"))
        #expect(html.contains(".grid th.name{position:sticky;left:0"))
    }

    @Test(
        "entries are coloured against their expectation: holds, missed by the rate only, missed by the whole interval; by rate without one"
    )
    func colours() throws {
        let expectation = try SuccessRateExpectation(parsing: ">= 0.9")
        #expect(HistoryHTML.colour(HistoryEntry(passes: 10, expectation: expectation)) == HistoryHTML.holds)
        #expect(
            HistoryHTML.colour(HistoryEntry(passes: 8, fails: 2, expectation: expectation)) == HistoryHTML.missedByRate)
        #expect(
            HistoryHTML.colour(HistoryEntry(passes: 4, fails: 6, expectation: expectation))
                == HistoryHTML.missedByInterval)
        // An expected failure (<= 0.1) that fails is green.
        #expect(
            HistoryHTML.colour(HistoryEntry(fails: 10, expectation: try SuccessRateExpectation(parsing: "<= 0.1")))
                == HistoryHTML.holds)
        #expect(HistoryHTML.colour(HistoryEntry(passes: 5, fails: 5)) == "hsl(60, 70%, 72%)")
        #expect(HistoryHTML.colour(HistoryEntry(errors: 3)) == HistoryHTML.grey)
    }

    @Test("no script, no fetch, all text escaped")
    func selfContained() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let html = HistoryHTML.render(try await Self.history(in: root.url), location: root.url)
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("src=") && !html.contains("<link"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(html.contains("default-src 'none'"))
        #expect(html.contains("&lt;&amp;&gt; busy") && !html.contains("<&>"))
    }

    @Test(
        "history.html renders in headless Chromium: the grid's green, red and grey entries are on the screenshot",
        .enabled(
            if: ReportHTMLTests.chromium != nil,
            "Chromium is not installed (Debian package chromium; scripts/setup installs it)"))
    func rendersInChromium() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let history = try await Self.history(in: root.url)
        let file = root.url.appendingPathComponent("site/history.html")
        try history.write(html: file)
        let (image, _) = try PNGImage.screenshot(of: file, in: root.url, named: "history")
        #expect(image.width == 1200 && image.height == 900)
        let colours = image.colourCounts()
        #expect(colours.count > 20, "a blank page has one colour; this one has \(colours.count)")
        func shows(_ red: Int, _ green: Int, _ blue: Int, atLeast pixels: Int) -> Bool {
            PNGImage.shows(colours, red, green, blue, atLeast: pixels)
        }
        // hsl(120, 55%, 70%), hsl(0, 72%, 62%) and #c8c8c8: four green nights of one cell, the
        // red last night and flaky nights, the skipped row.
        #expect(shows(136, 221, 136, atLeast: 4 * 600), "no green entries in the screenshot")
        #expect(shows(228, 88, 88, atLeast: 6 * 600), "no red entries in the screenshot")
        #expect(shows(200, 200, 200, atLeast: 5 * 600), "no grey (skipped) entries in the screenshot")
    }
}
