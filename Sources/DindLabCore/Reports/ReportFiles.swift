package import Foundation

/// Where a run's derived files go: by default into the run folder (summary.json, junit.xml,
/// summary.md, report.html), each movable with `dindlab report --json/--junit/--markdown/--html`.
package struct ReportFiles: Sendable, Hashable {
    package static let junitFileName = "junit.xml"
    package static let markdownFileName = "summary.md"
    package static let htmlFileName = "report.html"

    package var summaryJSON: URL
    package var junit: URL
    package var markdown: URL
    package var html: URL

    /// The four files in the run folder.
    /// - Parameter directory: `results/<run id>/`.
    package init(in directory: URL) {
        summaryJSON = directory.appendingPathComponent(ResultStore.summaryFileName)
        junit = directory.appendingPathComponent(Self.junitFileName)
        markdown = directory.appendingPathComponent(Self.markdownFileName)
        html = directory.appendingPathComponent(Self.htmlFileName)
    }

    /// Every file, in the order they are written.
    package var all: [URL] { [summaryJSON, junit, markdown, html] }
}

extension RunReport {
    /// Writes summary.json, junit.xml, summary.md and report.html, each atomically (a reader
    /// sees the old file or the new one).
    /// - Parameter files: Where to; by default the run folder.
    /// - Throws: `ResultsError` when a file cannot be written.
    package func write(to files: ReportFiles? = nil) throws(ResultsError) {
        let files = files ?? ReportFiles(in: directory)
        let summaryData: Data
        do {
            summaryData = try ResultsJSON.encoder(pretty: true).encode(summary)
        } catch {
            throw .cannotEncode("run summary", reason: "\(error)")
        }
        let html = HTMLReport.render(self, location: files.html.deletingLastPathComponent())
        let outputs: [(URL, Data)] = [
            (files.summaryJSON, summaryData),
            (files.junit, Data(JUnitReport.render(self).utf8)),
            (files.markdown, Data(MarkdownReport.render(self).utf8)),
            (files.html, Data(html.utf8)),
        ]
        for (url, data) in outputs {
            try ResultFiles.createDirectory(url.deletingLastPathComponent())
            try ResultFiles.writeAtomically(data, to: url)
        }
    }
}
