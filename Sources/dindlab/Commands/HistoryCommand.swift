import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation

/// `dindlab history DIR...`: many nights' run folders as one grid of cells × nights, each cell
/// classified by its latest night against the nights before.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Read many nights' run folders: a row per cell, a column per night, each cell classified.",
        discussion: """
            DIR is a run folder or a folder of run folders (results/, a CI cache of past nights), \
            searched up to \(HistoryReader.searchDepth) levels deep; merged shard runs stand for their \
            shards, unmerged shards of one plan make one night. Cells are grouped by scenario and \
            cell across runs and classified: passing, failing, flaky, regressed or recovered (the \
            latest night's failures against the window before it, Fisher's exact test, Holm-adjusted \
            over the cells), new, gone, no rate. Exit status 0; 1 with --fail-on-regression when a \
            cell regressed; 2 when no run could be read.
            """
    )

    @Argument(help: ArgumentHelp("Run folders, or folders that hold them.", valueName: "dir"))
    var directories: [String]

    @Option(help: ArgumentHelp("Write history.html (the grid, self-contained) here.", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Write the history as JSON here, for dashboards.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write a Markdown summary here (e.g. for a CI job summary).", valueName: "file"))
    var markdown: String?

    @Option(help: ArgumentHelp("Read only the newest N nights.", valueName: "n"))
    var last: Int?

    @Option(
        help: ArgumentHelp(
            "Compare each cell's latest night with up to N earlier nights in which it ran.", valueName: "n"))
    var window: Int = History.defaultWindow

    @Option(help: ArgumentHelp("Nights shown as columns in the terminal and Markdown tables.", valueName: "n"))
    var columns: Int = HistoryReport.defaultColumns

    @Flag(help: "Exit 1 when a cell regressed in the latest night.")
    var failOnRegression = false

    func validate() throws {
        guard !directories.isEmpty else {
            throw ValidationError("Give at least one run folder or folder of run folders.")
        }
        if let last, last < 1 { throw ValidationError("--last must be at least 1, got \(last).") }
        guard window >= 1 else { throw ValidationError("--window must be at least 1, got \(window).") }
        guard columns >= 1 else { throw ValidationError("--columns must be at least 1, got \(columns).") }
    }

    func run() async throws {
        let history: History
        do {
            history = try HistoryReader.read(directories.map { URL(fileURLWithPath: $0) }, window: window, last: last)
            for warning in history.warnings {
                FileHandle.standardError.write(Data("dindlab: warning: \(warning)\n".utf8))
            }
            try history.write(
                html: html.map { URL(fileURLWithPath: $0) }, json: json.map { URL(fileURLWithPath: $0) },
                markdown: markdown.map { URL(fileURLWithPath: $0) }, columns: columns)
        } catch {
            throw fail(error, code: 2)
        }
        print(HistoryReport.terminal(history, columns: columns), terminator: "")
        let written = [("HTML", html), ("JSON", json), ("Markdown", markdown)].compactMap { name, path in
            path.map { "\(name): \($0)" }
        }
        if !written.isEmpty { print("\n" + written.joined(separator: ", ")) }
        if failOnRegression && !history.regressedCells.isEmpty {
            print(
                "\(history.regressedCells.count) cell\(history.regressedCells.count == 1 ? "" : "s") regressed: exit 1 (--fail-on-regression)."
            )
            throw ExitCode(1)
        }
    }
}
