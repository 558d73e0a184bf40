public import Foundation

/// Where a run's derived files go: by default into the run folder (summary.json, junit.xml,
/// summary.md, report.html), each movable with `dindlab report --json/--junit/--markdown/--html`.
public struct ReportFiles: Sendable, Hashable {
    public static let junitFileName = "junit.xml"
    public static let markdownFileName = "summary.md"
    public static let htmlFileName = "report.html"

    public var summaryJSON: URL
    public var junit: URL
    public var markdown: URL
    public var html: URL

    /// The four files in the run folder.
    /// - Parameter directory: `results/<run id>/`.
    public init(in directory: URL) {
        summaryJSON = directory.appendingPathComponent(ResultStore.summaryFileName)
        junit = directory.appendingPathComponent(Self.junitFileName)
        markdown = directory.appendingPathComponent(Self.markdownFileName)
        html = directory.appendingPathComponent(Self.htmlFileName)
    }

    /// Every file, in the order they are written.
    public var all: [URL] { [summaryJSON, junit, markdown, html] }
}

extension RunReport {
    /// Writes summary.json, junit.xml, summary.md and report.html, each atomically (a reader
    /// sees the old file or the new one).
    /// - Parameter files: Where to; by default the run folder.
    /// - Throws: `ResultsError` when a file cannot be written.
    public func write(to files: ReportFiles? = nil) throws(ResultsError) {
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
