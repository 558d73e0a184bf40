import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

/// Skipped cells (their outer image is not on their engine) are first-class: counted in
/// summary.json, listed with their reason in junit.xml, summary.md, report.html and the console
/// table; a skipped cell with an expectation cannot be judged, so the run exits 2.
@Suite("Reports: skipped cells")
struct ReportSkippedCellsTests {
    static let reason =
        "the outer image dindlab/outer:bookwrom is not on the engine; build it with `dindlab images build bookworm --engine unix:///tmp/dl/docker.sock`"

    /// The `modes` (expectation >= 0.9) and `plain` (none) scenarios, as the runner leaves them
    /// when the cells chosen were skipped: no records for them, their entries in the manifest.
    /// Every trial that ran passed.
    static func run(in root: URL, skipping skip: @escaping (PlannedTrial) -> Bool) async throws -> RunReport {
        let (plan, files) = try ReportFixtures.plan([ReportFixtures.modesYAML, ReportFixtures.plainYAML], in: root)
        let store = try ResultStore(creatingIn: root.appendingPathComponent("results"), runID: ResultsFixtures.runID)
        var manifest = RunManifest(
            runID: store.runID, startedAt: ResultsFixtures.start, commandLine: ["dindlab", "run"], plan: plan,
            scenarioFiles: try files.map {
                try RunManifest.ScenarioFile(reading: $0, recordedAs: $0.lastPathComponent)
            },
            engines: [ReportFixtures.engine])
        var skipped: [String: RunManifest.SkippedCell] = [:]
        var order: [String] = []
        for trial in plan.trials {
            guard skip(trial) else {
                try await store.append(ReportFixtures.record(trial, runID: store.runID, outcome: .pass, signature: nil))
                continue
            }
            let key = "\(trial.scenarioName)/\(trial.cell.id)"
            if skipped[key] == nil {
                order.append(key)
                skipped[key] = RunManifest.SkippedCell(
                    scenario: trial.scenarioName, cellID: trial.cell.id, engine: "default", trials: 0, reason: reason,
                    cellValues: CellValues(trial.cell.values.map { ($0.key, $0.value) }), cellIndex: trial.cell.index)
            }
            skipped[key]!.trials += 1
        }
        manifest.skippedCells = order.map { skipped[$0]! }
        manifest.finishedAt = ResultsFixtures.start.addingTimeInterval(10)
        try await store.writeManifest(manifest)
        return try await RunReport.load(runDirectory: store.directory, strict: false)
    }

    /// The exec cells of `modes` and the one cell of `plain` skipped: 3 cells, 13 trials.
    static func partlySkipped(in root: URL) async throws -> RunReport {
        try await run(in: root) { $0.scenarioName == "plain" || $0.cell.id.hasPrefix("daemon.start=exec") }
    }

    @Test("summary.json counts the skipped cells and trials, and keeps each with its reason in matrix order")
    func summary() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let report = try await Self.partlySkipped(in: root.url)
        try report.write()
        let data = try Data(contentsOf: ReportFiles(in: report.directory).summaryJSON)
        let summary = try ResultsJSON.decoder().decode(RunSummary.self, from: data)
        #expect(summary.skippedCells == 3)
        #expect(summary.skippedTrials == 13)
        let modes = try #require(summary.scenarios.first { $0.name == "modes" })
        #expect(
            modes.cells.map(\.cellID) == [
                "daemon.start=cmd,inner.mode=ti", "daemon.start=cmd,inner.mode=d",
                "daemon.start=exec,inner.mode=ti", "daemon.start=exec,inner.mode=d",
            ])
        let exec = modes.cells[2]
        #expect(exec.isSkipped && exec.skipped == SkippedTrials(trials: 5, reason: Self.reason))
        #expect(exec.cellValues["inner.mode"] == "ti")
        #expect(summary.scenarios.first { $0.name == "plain" }?.cells.first?.skipped?.trials == 3)
    }

    @Test(
        "a skipped cell with an expectation cannot be judged: exit 2; skipped cells without one leave the status alone, and say so",
        arguments: [("modes", Int32(2)), ("plain", Int32(0))])
    func verdict(scenario: String, code: Int32) async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let report = try await Self.run(in: root.url) { $0.scenarioName == scenario }
        #expect(report.verdict.exitCode == code, "\(report.verdict.description)")
        #expect(report.verdict.description.contains("skipped"), "\(report.verdict.description)")
        #expect(!report.verdict.description.contains("every expectation holds"))
        #expect(report.missingTrials == 0, "skipped trials are not missing")
    }

    @Test(
        "a run whose every cell was skipped says that no trial ran, and exits 2 for the expectation it could not judge")
    func everythingSkipped() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let report = try await Self.run(in: root.url) { _ in true }
        #expect(report.verdict.exitCode == 2)
        #expect(report.verdict.description.hasSuffix("no trial ran"), "\(report.verdict.description)")
        #expect(report.trialCount == 0)
        #expect(report.skippedCells.count == 5)
    }

    @Test(
        "junit.xml: a testcase with <skipped message> per skipped cell, counted as skipped, valid against the strict schema",
        .enabled(
            if: ReportJUnitTests.xmllint != nil,
            "xmllint is not installed (Debian package libxml2-utils; scripts/setup installs it)"))
    func junit() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let report = try await Self.partlySkipped(in: root.url)
        try report.write()
        let xml = ReportFiles(in: report.directory).junit
        let xsd = root.url.appendingPathComponent("junit.xsd")
        try ReportJUnitTests.schema.write(to: xsd, atomically: true, encoding: .utf8)
        let valid = try ReportFixtures.run(ReportJUnitTests.xmllint!, ["--noout", "--schema", xsd.path, xml.path])
        #expect(valid.status == 0, "\(valid.output)")
        func xpath(_ expression: String) throws -> String {
            try ReportFixtures.run(ReportJUnitTests.xmllint!, ["--xpath", expression, xml.path]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try xpath("string(/testsuites/@skipped)") == "3")
        #expect(try xpath("string(/testsuites/@tests)") == "5")
        #expect(try xpath("count(//testcase/skipped)") == "3")
        #expect(try xpath("string(/testsuites/testsuite[@name='modes']/@skipped)") == "2")
        let message = try xpath("string(//testcase[@name='daemon.start=exec,inner.mode=d']/skipped/@message)")
        #expect(message.contains("dindlab images build bookworm"), "\(message)")
        #expect(message.contains("expectation >= 0.9 cannot be judged"), "\(message)")
    }

    @Test("summary.md and report.html list the skipped cells with the reason; the heat map greys them")
    func markdownAndHTML() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let report = try await Self.partlySkipped(in: root.url)
        let markdown = MarkdownReport.render(report)
        let lines = markdown.components(separatedBy: "\n")
        #expect(
            lines.contains(
                "**exit status 2: 2 cells with expectations were skipped (not run), so their expectations cannot be judged; 1 cell without an expectation was skipped (not run)**"
            ), "\(markdown)")
        #expect(lines.contains("## Cells skipped (not run)"))
        #expect(lines.filter { $0.hasPrefix("- **") && $0.contains("skipped (") }.count == 3)
        #expect(
            lines.contains {
                $0.hasPrefix("| `daemon.start=exec,inner.mode=ti` | 0 (+5 skipped) |") && $0.contains("| skipped |")
            }, "\(markdown)")
        #expect(markdown.contains("13 skipped (3 cells not run)"))

        let html = HTMLReport.render(report)
        #expect(html.contains("<td class=\"cell skipped\" style=\"background:#e2e2e2\""))
        #expect(html.contains("<span class=\"rate\">skipped</span><span class=\"n\">5 not run</span>"))
        #expect(html.contains("<li>Skipped: <b>plain</b>"))
        #expect(html.contains(ReportEscaping.markup("dindlab images build bookworm")))
    }

    @Test("the console table has a row per skipped cell with the reason")
    func console() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let report = try await Self.partlySkipped(in: root.url)
        let text = SummaryTable.render(report.summary)
        let rows = text.components(separatedBy: "\n").filter { $0.contains("skipped (") }
        #expect(rows.count == 3, "\(text)")
        #expect(rows.allSatisfy { $0.hasSuffix(Self.reason) })
        #expect(rows.contains { $0.hasPrefix("daemon.start=exec,inner.mode=d ") && $0.contains("skipped (5 not run)") })
    }
}
