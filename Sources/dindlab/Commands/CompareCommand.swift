import ArgumentParser
import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation

/// `dindlab compare RUN_A RUN_B` or `dindlab compare RUN --by KEY`.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare success rates of two runs cell by cell, or the levels of one key within a run.",
        discussion: """
            Two runs: cells are paired by scenario, cell id and engine (by scenario and cell id when \
            each run used one engine). --by KEY (a matrix key such as outer.image, or engine): cells \
            of one run that agree on every other key form a group, and each level of KEY is \
            compared with the baseline level (the first in the scenario's matrix, or --baseline). \
            Each pair shows both success rates with Wilson 95% intervals, the difference, Fisher's \
            exact two-sided p-value and Holm's adjustment over all pairs (* marks adjusted p < 0.05), \
            then signatures seen on one side only and cells without a partner. Two runs of scenario \
            files that differ (by sha256) are compared with a warning on standard error. Exit status 0, or \
            1 with --fail-on-difference when some cell differs significantly.
            """
    )

    @Argument(help: "Two run folders (results/<run id>), or one with --by.")
    var runs: [String]

    @Option(
        help: ArgumentHelp("Compare the levels of this key within one run (a matrix key, or engine).", valueName: "key")
    )
    var by: String?

    @Option(
        help: ArgumentHelp(
            "With --by: the level the others are compared with (default: the first).", valueName: "value"))
    var baseline: String?

    @Option(help: ArgumentHelp("Also write the comparison as Markdown to this file.", valueName: "file"))
    var markdown: String?

    @Flag(help: "Exit 1 when some cell differs significantly.")
    var failOnDifference = false

    func validate() throws {
        if by == nil {
            guard runs.count == 2 else { throw ValidationError("Give two run folders, or one with --by KEY.") }
            guard baseline == nil else { throw ValidationError("--baseline goes with --by.") }
        } else {
            guard runs.count == 1 else {
                throw ValidationError("--by compares levels within one run: give one run folder.")
            }
        }
    }

    func run() async throws {
        let comparison: Comparison
        do {
            let loaded = try await runs.asyncMap { try await RunRecords.load(URL(fileURLWithPath: $0)) }
            for run in loaded where !run.corruptLines.isEmpty {
                FileHandle.standardError.write(
                    Data(
                        "warning: \(run.corruptLines.count) line(s) of \(run.directory.path)/trials.jsonl could not be read and were skipped.\n"
                            .utf8))
            }
            if let by {
                comparison = try Comparison(loaded[0], by: by, baseline: baseline)
            } else {
                for difference in ScenarioFileCheck.differences(loaded[0], loaded[1]) {
                    FileHandle.standardError.write(Data("warning: \(difference).\n".utf8))
                }
                comparison = Comparison(loaded[0], loaded[1])
            }
            if let markdown {
                try ComparisonReport.markdown(comparison).write(toFile: markdown, atomically: true, encoding: .utf8)
            }
        } catch {
            throw fail(error, code: 2)
        }
        print(ComparisonReport.terminal(comparison), terminator: "")
        if let markdown { print("\nMarkdown: \(markdown)") }
        if failOnDifference && !comparison.significantRows.isEmpty { throw ExitCode(1) }
    }
}

extension Array {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
