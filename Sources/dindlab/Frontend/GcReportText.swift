import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation

/// `dindlab gc`'s report for the terminal: what was removed (or would be), what was left and
/// why, with the option that would remove what was left.
enum GcReportText {
    /// Readable lines for `report`.
    static func text(_ report: GarbageCollector.Report, now: Date = Date()) -> String {
        var text = ""
        let garbage = report.decisions.filter(\.remove)
        let left = report.decisions.filter { !$0.remove }
        if report.decisions.isEmpty {
            return "No dindlab containers on this engine.\n"
        }
        if garbage.isEmpty {
            text += "Nothing to remove.\n"
        } else if report.dryRun {
            text += "Would remove \(garbage.count) container\(garbage.count == 1 ? "" : "s"):\n"
            for decision in garbage { text += line(decision, now: now) }
        } else {
            let removedIDs = Set(report.removed.map(\.id))
            let done = garbage.filter { removedIDs.contains($0.container.id) }
            text += "Removed \(done.count) container\(done.count == 1 ? "" : "s"):\n"
            for decision in done { text += line(decision, now: now) }
            for failure in report.failures {
                text +=
                    "Could not remove \(failure.container.shortID) (\(failure.container.role), run \(failure.container.ownership.runID)): \(failure.error)\n"
            }
            for problem in report.cgroupProblems { text += problem + "\n" }
        }
        if !left.isEmpty {
            text += "Left \(left.count) container\(left.count == 1 ? "" : "s") alone:\n"
            for decision in left { text += line(decision, now: now) }
        }
        return text
    }

    /// Why a container is (or is not) removed, with the option that would remove it.
    static func reason(_ decision: GarbageCollector.Decision) -> String {
        switch decision.removableWith {
        case .olderThan: decision.reason + "; --older-than removes such containers by age"
        case .includeKept: decision.reason + "; --include-kept removes it"
        case nil: decision.reason
        }
    }

    private static func line(_ decision: GarbageCollector.Decision, now: Date) -> String {
        let container = decision.container
        let age = container.age(now: now).map { ", created \(AgeText.describe(seconds: $0)) ago" } ?? ""
        return
            "  \(container.shortID)  run \(container.ownership.runID)  \(container.role)\(age): \(reason(decision))\n"
    }
}
