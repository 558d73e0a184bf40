import DindLabTestSupport
import Foundation
import Testing

@testable import DindLabCore

/// summary.md: failed expectations first, one table per scenario, the engines last.
@Suite("Reports: summary.md")
struct ReportMarkdownTests {
    func markdown(strict: Bool = false) async throws -> String {
        let root = try ResultsFixtures.TemporaryDirectory()
        defer { root.remove() }
        let report = try await RunReport.load(
            runDirectory: try await ReportFixtures.mixedRun(in: root.url), strict: strict)
        return MarkdownReport.render(report)
    }

    @Test("summary.md renders the expected tables, failed expectations first, engines last")
    func tables() async throws {
        let text = try await markdown()
        let lines = text.components(separatedBy: "\n")
        #expect(lines.first == "# dindlab run 20261129T112233Z-ab12")
        #expect(
            lines.contains(
                "**exit status 1: 2 cells failed their expectation; 1 cell has only harness or engine errors, so no success rate to judge**"
            ))

        // The order of the sections.
        let order = [
            "## Expectations that failed", "## Cells that could not be judged", "## modes", "## plain", "## Engines",
        ]
        let positions = order.map { heading in lines.firstIndex(of: heading) }
        #expect(positions.allSatisfy { $0 != nil }, "\(text)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())

        #expect(
            lines.contains(
                "- **modes** `daemon.start=cmd,inner.mode=d`: success rate 80.0% [37.6%, 96.4%] over 5 trials does not satisfy >= 0.9"
            ))
        #expect(lines.contains("Expect success rate >= 0.9."))
        let escaped = ReportEscaping.markdownCell(ReportFixtures.nastySignature)
        let expectedRows = [
            "| cell | n | pass | fail | t/o | err | rate [95% CI] | verdict | top signature |",
            "| `daemon.start=cmd,inner.mode=ti` | 5 | 5 | 0 | 0 | 0 | 100.0% [56.6%, 100.0%] | pass |  |",
            "| `daemon.start=cmd,inner.mode=d` | 5 | 4 | 1 | 0 | 0 | 80.0% [37.6%, 96.4%] | **FAILED** | 1× inner: exit status 1 |",
            "| `daemon.start=exec,inner.mode=ti` | 5 | 0 | 5 | 0 | 0 | 0.0% [0.0%, 43.4%] | **FAILED** | 5× \(escaped) |",
            "| `daemon.start=exec,inner.mode=d` | 5 | 0 | 0 | 0 | 5 | — | not judged | 5× outer: image dindlab/outer:bookworm is missing |",
            "| `default` | 3 | 2 | 0 | 1 | 0 | 66.7% [20.8%, 93.9%] | failures | 1× inner: timed out after 300s |",
        ]
        for row in expectedRows {
            #expect(lines.contains(row), "missing row \(row)\n\(text)")
        }
        #expect(lines.contains("### default (unix:///tmp/dl/docker.sock)"))
        #expect(lines.contains("| daemon version | 20.10.24 |"))
        #expect(lines.contains("| daemon cgroup\\[0\\] | 0::/system.slice/docker.service |"))
    }

    @Test("a signature cannot break the table: its pipe is escaped, markup becomes entities")
    func escaping() {
        let cell = ReportEscaping.markdownCell(ReportFixtures.nastySignature)
        #expect(!cell.contains(" | "))
        #expect(cell.contains("\\|"))
        #expect(cell.contains("&lt;&amp;&gt;"))
        #expect(!cell.unicodeScalars.contains("\u{1B}"))
        #expect(ReportEscaping.markdownCell("a\nb") == "a b")
    }

    @Test("with --strict the cell the interval saves is not listed as failed")
    func strict() async throws {
        let text = try await markdown(strict: true)
        #expect(!text.contains("- **modes** `daemon.start=cmd,inner.mode=d`"))
        #expect(text.contains("- **modes** `daemon.start=exec,inner.mode=ti`"))
        #expect(text.contains("(judged by the 95% interval)"))
    }
}
