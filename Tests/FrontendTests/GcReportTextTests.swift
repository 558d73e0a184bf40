import DockerEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner
@testable import dindlab

/// `dindlab gc`'s terminal report: the collector's decisions carry the option that would
/// remove what they leave; the executable names it.
@Suite("Frontend: gc's report with the options that would remove what is left")
struct GcReportTextTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func container(_ byte: String, kept: Bool = false) throws -> OwnedContainer {
        var labels = [
            "dindlab.run": "20261129T112233Z-ab12", "dindlab.owner": "other.example:42", "dindlab.trial": "smoke-c0-t0",
        ]
        if kept { labels["dindlab.kept"] = "true" }
        let json: [String: Any] = [
            "Id": String(repeating: byte, count: 32), "Labels": labels,
            "Created": Int(now.timeIntervalSince1970) - 7200, "Names": ["/x"],
        ]
        return try #require(
            OwnedContainer(
                try JSONDecoder().decode(ContainerSummary.self, from: JSONSerialization.data(withJSONObject: json))))
    }

    static func decisions() throws -> [GarbageCollector.Decision] {
        [
            GarbageCollector.Decision(
                container: try container("aa"), remove: true, reason: "its owner process 42 is gone", runIsOver: true),
            GarbageCollector.Decision(
                container: try container("bb", kept: true), remove: false,
                reason: "it is labelled dindlab.kept=true (kept for inspection)", runIsOver: true,
                removableWith: .includeKept),
            GarbageCollector.Decision(
                container: try container("cc"), remove: false,
                reason: "its owner runs on another host, so whether its run goes on is unknown", runIsOver: false,
                removableWith: .olderThan),
        ]
    }

    @Test("a dry run says what it would remove and, for what it leaves, which option would remove it")
    func dryRun() throws {
        let text = GcReportText.text(
            GarbageCollector.Report(decisions: try Self.decisions(), dryRun: true), now: Self.now)
        #expect(
            text == """
                Would remove 1 container:
                  aaaaaaaaaaaa  run 20261129T112233Z-ab12  trial smoke-c0-t0, created 2 h ago: its owner process 42 is gone
                Left 2 containers alone:
                  bbbbbbbbbbbb  run 20261129T112233Z-ab12  trial smoke-c0-t0, created 2 h ago: it is labelled dindlab.kept=true (kept for inspection); --include-kept removes it
                  cccccccccccc  run 20261129T112233Z-ab12  trial smoke-c0-t0, created 2 h ago: its owner runs on another host, so whether its run goes on is unknown; --older-than removes such containers by age

                """)
    }

    @Test("a collection says what it removed; nothing at all says so")
    func removed() throws {
        let decisions = try Self.decisions()
        let report = GarbageCollector.Report(decisions: decisions, dryRun: false, removed: [decisions[0].container])
        #expect(GcReportText.text(report, now: Self.now).hasPrefix("Removed 1 container:\n  aaaaaaaaaaaa"))
        #expect(
            GcReportText.text(GarbageCollector.Report(decisions: [], dryRun: false))
                == "No dindlab containers on this engine.\n")
        #expect(
            GcReportText.text(
                GarbageCollector.Report(decisions: Array(decisions.dropFirst()), dryRun: false), now: Self.now
            ).hasPrefix("Nothing to remove.\n"))
    }

    @Test("an inner container's cgroup gc could not remove is said after what it removed")
    func cgroupProblem() throws {
        let decisions = try Self.decisions()
        var report = GarbageCollector.Report(decisions: decisions, dryRun: false, removed: [decisions[0].container])
        let problem =
            "Could not remove the cgroup /sys/fs/cgroup/memory/docker/x of an inner container: Device or resource busy. Remove it with rmdir once its processes are gone."
        report.cgroupProblems = [problem]
        let lines = GcReportText.text(report, now: Self.now).split(separator: "\n").map(String.init)
        #expect(lines.first == "Removed 1 container:")
        #expect(lines.firstIndex(of: problem) == 2, "\(lines)")
    }
}
