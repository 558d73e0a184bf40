import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

/// `dindlab report`: every derived file rebuilt from manifest.json and trials.jsonl alone.
@Suite("Reports: rebuilding a run folder")
struct ReportRebuildTests {
    @Test(
        "a copied run folder, without its scenario files, gets all four reports; unreadable lines are named and skipped"
    )
    func rebuildsFromTheFolderAlone() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let original = try await ReportFixtures.mixedRun(in: root.url.appendingPathComponent("machine-a"))
        // Elsewhere: only the run folder travels.
        let copy = root.url.appendingPathComponent("machine-b/20261129T112233Z-ab12")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: original, to: copy)
        try FileManager.default.removeItem(at: root.url.appendingPathComponent("machine-a"))

        // A line that is not a record and a last line cut short.
        let trials = copy.appendingPathComponent(ResultStore.trialsFileName)
        let handle = try FileHandle(forWritingTo: trials)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("not json\n{\"runID\":\"20261129T112233Z-ab12\",\"trialID\":\"cut".utf8))
        try handle.close()

        let report = try await RunReport.load(runDirectory: copy, strict: false)
        #expect(report.trialCount == 23)
        #expect(report.summary.corruptLines.map(\.lineNumber) == [24, 25])
        #expect(report.summary.corruptLines[1].reason.contains("incomplete"))
        #expect(report.verdict.exitCode == 1)

        let files = ReportFiles(in: copy)
        try report.write(to: files)
        for file in files.all {
            #expect(FileManager.default.fileExists(atPath: file.path), "\(file.lastPathComponent) missing")
        }
        let summary = try await ResultStore(opening: copy).readSummary()
        #expect(summary == report.summary)
        #expect(summary.scenarios.map(\.name) == ["modes", "plain"])
        #expect(summary.scenarios[0].expectation?.description == ">= 0.9", "the expectation comes from the manifest")
        #expect(
            try String(contentsOf: files.markdown, encoding: .utf8).contains(
                "trials.jsonl line 24 is not a trial record"))
        // The terminal table `report` prints names them too.
        #expect(SummaryTable.render(report.summary).contains("lines 24, 25"))
    }

    @Test("--junit/--markdown/--html/--json put the files elsewhere; the HTML's links still reach the artifacts")
    func otherLocations() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let report = try await RunReport.load(
            runDirectory: try await ReportFixtures.mixedRun(in: root.url), strict: false)
        var files = ReportFiles(in: report.directory)
        let out = root.url.appendingPathComponent("out", isDirectory: true)
        files.junit = out.appendingPathComponent("junit/dindlab.xml")
        files.markdown = out.appendingPathComponent("summary.md")
        files.html = out.appendingPathComponent("index.html")
        files.summaryJSON = out.appendingPathComponent("summary.json")
        try report.write(to: files)
        for file in files.all {
            #expect(FileManager.default.fileExists(atPath: file.path), "\(file.path) missing")
        }
        #expect(
            !FileManager.default.fileExists(
                atPath: report.directory.appendingPathComponent(ReportFiles.htmlFileName).path))
        let html = try String(contentsOf: files.html, encoding: .utf8)
        let link = "../results/20261129T112233Z-ab12/artifacts/modes-c2-t0/"
        #expect(html.contains("href=\"\(link)\""))
        #expect(
            FileManager.default.fileExists(
                atPath: out.appendingPathComponent(link).appendingPathComponent("daemon.log").path))
    }

    @Test("the terminal table keeps a cell's second signature under the first")
    func continuationRows() throws {
        let records = [
            ResultsFixtures.record(0, outcome: .fail, signature: "daemon: first"),
            ResultsFixtures.record(1, outcome: .fail, signature: "daemon: first"),
            ResultsFixtures.record(2, outcome: .fail, signature: "inner: second"),
        ]
        let lines = SummaryTable.render(RunSummary(runID: ResultsFixtures.runID, tally: Tally(records: records)))
            .components(separatedBy: "\n")
        let first = try #require(lines.first(where: { $0.hasSuffix("2× daemon: first") }))
        let second = try #require(lines.first(where: { $0.hasSuffix("1× inner: second") }))
        #expect(
            first.count - "2× daemon: first".count == second.count - "1× inner: second".count, "\(first)\n\(second)")
        #expect(second.hasPrefix(" "))
    }

    @Test("planned trials without a record make the verdict 2, unless a stop condition ended the run on purpose")
    func missingTrials() {
        let records = (0..<3).map { ResultsFixtures.record($0) }
        var manifest = RunManifest(
            runID: ResultsFixtures.runID, startedAt: ResultsFixtures.start, commandLine: ["dindlab", "run"],
            plannedTrials: 10)
        let log = TrialLog(records: records, corruptLines: [])
        let incomplete = RunReport(directory: URL(fileURLWithPath: "/tmp"), manifest: manifest, log: log, strict: false)
        #expect(incomplete.missingTrials == 7 && incomplete.verdict.exitCode == 2)
        #expect(incomplete.verdict.reasons == ["7 planned trials have no record"])
        manifest.stoppedEarly = true
        let stopped = RunReport(directory: URL(fileURLWithPath: "/tmp"), manifest: manifest, log: log, strict: false)
        #expect(stopped.missingTrials == nil && stopped.verdict.exitCode == 0)
    }

    @Test("a folder that is not a run's is refused with its path")
    func notARun() async throws {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let error = await #expect(throws: ResultsError.self) {
            try await RunReport.load(runDirectory: root.url.appendingPathComponent("nope"), strict: false)
        }
        #expect(error?.description.contains("nope") == true)
    }
}
