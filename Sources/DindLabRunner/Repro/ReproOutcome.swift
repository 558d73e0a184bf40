package import DindLabCore
import Foundation

/// What a repro found: the failing trial and how many trials it took, or that none failed.
package struct ReproOutcome: Sendable {
    package let run: RunResult
    package let cell: Cell
    package let stop: ReproStop
    package let maxTrials: Int
    /// Outer containers left running (with `--keep`).
    package let kept: [KeptContainer]
    /// What went wrong after the trials (listing kept containers), if anything.
    package let problems: [String]

    package init(
        run: RunResult, cell: Cell, stop: ReproStop, maxTrials: Int, kept: [KeptContainer] = [], problems: [String] = []
    ) {
        self.run = run
        self.cell = cell
        self.stop = stop
        self.maxTrials = maxTrials
        self.kept = kept
        self.problems = problems
    }

    /// The failure sought that came first in run order, if any.
    package var failure: TrialRecord? {
        run.records.filter(stop.isSought).min { $0.sequence < $1.sequence }
    }

    /// The first harness error, if the repro ended on one.
    package var harnessError: TrialRecord? {
        run.records.filter { $0.outcome == .error }.min { $0.sequence < $1.sequence }
    }

    /// How many trials it took: the failing trial's place in the order trials were started.
    package var trialsTaken: Int? {
        failure.map { $0.sequence + 1 }
    }

    /// 1 when the failure was reproduced, 0 when no trial of `maxTrials` failed that way,
    /// 2 when a harness or engine error ended the repro (so `git bisect run` can drive it).
    package var exitCode: Int32 {
        if failure != nil { return 1 }
        if harnessError != nil { return 2 }
        return 0
    }

    /// The report for a terminal, saying of a kept container what garbage collection does
    /// with it in general terms (the executable names its command: `rendered(keptNote:)`).
    package var rendered: String {
        rendered(keptNote: "garbage collection leaves it unless told to remove kept containers too")
    }

    /// The report for a terminal; `keptNote` follows a kept container's label, in parentheses.
    package func rendered(keptNote: String) -> String {
        let records = run.records
        let cellName = "cell \(cell.id) of scenario \(records.first?.scenario ?? "")"
        var text = ""
        if let failure, let taken = trialsTaken {
            text +=
                "Reproduced \(stop.description) after \(taken) trial\(taken == 1 ? "" : "s") of \(cellName): trial \(failure.trialID) \(failure.outcome == .timeout ? "timed out" : "failed") in phase \(failure.failingPhase?.rawValue ?? "?").\n"
            text += "  first error: \(failure.firstError ?? "(none recorded)")\n"
            text += "  signature:   \(failure.signature ?? "(none)")\n"
            if let path = failure.artifactsPath {
                text +=
                    "  artifacts:   \(run.directory.appendingPathComponent(path).path)/ (forensics.md indexes them)\n"
            } else {
                text += "  artifacts:   none (the trial failed before its outer container ran)\n"
            }
            let others = records.filter { $0.trialID != failure.trialID }
            let later = others.filter { $0.sequence > failure.sequence }
            if !later.isEmpty {
                text +=
                    "  \(later.count) trial\(later.count == 1 ? " was" : "s were") already running and finished too: \(outcomeCounts(later)).\n"
            }
            let earlierFailures = others.filter { $0.sequence < failure.sequence && $0.outcome != .pass }
            if !earlierFailures.isEmpty {
                text += "  Earlier trials failed in other ways: \(signatureCounts(earlierFailures)).\n"
            }
        } else if let error = harnessError {
            text +=
                "The repro of \(cellName) stopped at a harness or engine error in trial \(error.trialID) (phase \(error.failingPhase?.rawValue ?? "?")): \(error.firstError ?? error.signature ?? "no message")\n"
            text += "Errors are not failures of the system under test; fix the harness's problem and run again.\n"
        } else {
            let n = records.count
            text += "No trial of \(cellName) met \(stop.description) in \(n) trial\(n == 1 ? "" : "s")"
            let counted = records.count { $0.outcome != .error }
            let failing = records.filter { $0.outcome == .fail || $0.outcome == .timeout }
            if failing.isEmpty, counted > 0,
                let interval = ProportionInterval.wilson(successes: counted, trials: counted)
            {
                text +=
                    ": all passed, so its failure rate is below \(SummaryTable.percent(1 - interval.lower)) (95% confidence).\n"
            } else {
                text += ".\n"
            }
            if !failing.isEmpty {
                text += "  Other failures: \(signatureCounts(failing)).\n"
            }
        }
        if !kept.isEmpty {
            for container in kept {
                text +=
                    "\nThe outer container \(container.id.prefix(12)) of trial \(container.trialID ?? "?") is still running on engine \(container.engineName), labelled \(KeptContainer.label)=true (\(keptNote)):\n"
                text += container.rendered
            }
        }
        for problem in problems { text += "\nwarning: \(problem)\n" }
        text += "\nResults: \(run.directory.path)\n"
        return text
    }

    private func outcomeCounts(_ records: [TrialRecord]) -> String {
        TrialOutcome.allCases.compactMap { outcome in
            let count = records.count { $0.outcome == outcome }
            return count == 0 ? nil : "\(count) \(outcome)"
        }.joined(separator: ", ")
    }

    private func signatureCounts(_ records: [TrialRecord]) -> String {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for record in records.sorted(by: { $0.sequence < $1.sequence }) {
            let signature = record.signature ?? SignatureCount.missing
            if counts[signature] == nil { order.append(signature) }
            counts[signature, default: 0] += 1
        }
        return order.prefix(3).map { "\(counts[$0, default: 0])× \($0)" }.joined(separator: "; ")
            + (order.count > 3 ? "; …" : "")
    }
}
