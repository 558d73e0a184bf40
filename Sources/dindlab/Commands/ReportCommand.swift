import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation

/// `dindlab report RUN_DIR`: rebuilds a run's summary.json, junit.xml, summary.md and report.html
/// from its manifest.json and trials.jsonl alone, and judges it again.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild a run's reports (summary.json, junit.xml, summary.md, report.html) from its folder.",
        discussion: """
            Reads only manifest.json and trials.jsonl, so a copied run folder can be reported on \
            another machine. Unreadable lines of trials.jsonl are named and skipped. Exit status: 0 \
            when every expectation holds, 1 when one fails, 2 when harness or engine errors \
            prevented judgement. With --strict a cell fails only when its whole 95% interval lies \
            on the wrong side of the expectation.
            """
    )

    @Argument(help: ArgumentHelp("The run folder (results/<run id>/).", valueName: "run-dir"))
    var runDirectory: String

    @Option(help: ArgumentHelp("Write the JUnit XML here instead of RUN_DIR/junit.xml.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write the Markdown summary here instead of RUN_DIR/summary.md.", valueName: "file"))
    var markdown: String?

    @Option(help: ArgumentHelp("Write the HTML report here instead of RUN_DIR/report.html.", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Write summary.json here instead of RUN_DIR/summary.json.", valueName: "file"))
    var json: String?

    @Flag(help: "Judge expectations by the 95% interval: a cell fails only when all of it misses.")
    var strict = false

    func run() async throws {
        let directory = URL(fileURLWithPath: runDirectory)
        var files = ReportFiles(in: directory)
        if let junit { files.junit = URL(fileURLWithPath: junit) }
        if let markdown { files.markdown = URL(fileURLWithPath: markdown) }
        if let html { files.html = URL(fileURLWithPath: html) }
        if let json { files.summaryJSON = URL(fileURLWithPath: json) }
        let status: ExitCode
        do {
            let report = try await RunReport.load(runDirectory: directory, strict: strict)
            status = try publish(report, to: files)
        } catch {
            throw fail(error, code: 2)
        }
        throw status
    }
}

/// Writes a run's reports, prints its per-cell table (as `run` does), where the files went and
/// the verdict, and returns the exit status the run earns. `run`, `report` and `merge` end here.
///
/// A run a signal ended early exits 128 + the signal (130, 143), and its verdict line says so,
/// with the judgement of what ran after it, so the line always states the real exit status.
func publish(_ report: RunReport, to files: ReportFiles, interruptedBy signal: Int32? = nil) throws -> ExitCode {
    for line in report.summary.corruptLines {
        FileHandle.standardError.write(Data("dindlab: \(line)\n".utf8))
    }
    try report.write(to: files)
    print(SummaryTable.render(report.summary, strict: report.strict), terminator: "")
    print("\nReports: " + files.all.map(\.path).joined(separator: ", "))
    guard let signal else {
        print(report.verdict.description)
        return ExitCode(report.verdict.exitCode)
    }
    let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
    print(
        "exit status \(128 + signal): \(name) ended the run early; what ran alone would give \(report.verdict.description)"
    )
    return ExitCode(128 + signal)
}
