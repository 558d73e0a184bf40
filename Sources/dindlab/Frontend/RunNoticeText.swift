import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation

/// The words for what a run tells its observer (`RunNotice`) and for the signals it gets
/// (`InterruptNotice`): the library reports the facts, the command line names the commands
/// and flags that act on them.
enum RunNoticeText {
    /// One notice as a line (or two) for standard error, without the `dindlab: ` prefix.
    static func text(_ notice: RunNotice) -> String {
        switch notice {
        case .orphans(let survey):
            return "warning: " + orphanWarning(survey)
        case .oversubscribed(let jobs, let engine, let cpus):
            return
                "--jobs \(jobs) runs up to \(jobs) trials at once on the engine \(engine), whose host has \(cpus) CPU\(cpus == 1 ? "" : "s"): trials beyond \(cpus) wait for CPU, so their phase timings stretch and tight timeouts may fire; to measure timings, keep --jobs at \(cpus) or below"
        case .resuming(let runID, let recorded, let total):
            return "resuming run \(runID): \(recorded) of \(total) trials are recorded, \(total - recorded) to run"
        case .skippedCell(let cell):
            return
                "skipped: \(cell.scenario) \(cell.cellID) on \(cell.engine) (\(cell.trials) trial\(cell.trials == 1 ? "" : "s")): \(cell.reason)"
        case .engineLost(let reason, let engine, let runDirectory):
            return
                "\(reason)\nNo further trial was started. Once the engine is back, `dindlab run --resume \(runDirectory.path)` runs the rest and `dindlab gc` removes what the engine \(engine) kept of this run."
        }
    }

    /// `3 containers of dead runs are left on the engine default (runs a, b): run `dindlab gc``.
    static func orphanWarning(_ survey: OrphanSurvey) -> String {
        "\(survey): run `dindlab gc`"
    }

    /// What a signal does to a run, on lines of its own.
    static func text(_ notice: InterruptNotice) -> String {
        let name = notice.signalName
        switch notice.stage {
        case .stopping:
            return
                "\n\(name): no new trials start; running trials finish (at their timeout at the latest), then results are written. Interrupt again to cancel them at once.\n"
        case .cancelling:
            return
                "\n\(name) again: cancelling the running trials and removing their outer containers. Interrupt once more to quit at once (then `dindlab gc` removes what is left).\n"
        case .quitting:
            return "\n\(name) a third time: quitting now; `dindlab gc` removes what is left.\n"
        }
    }

    /// What an interrupted image build says.
    static let buildInterrupted = "\ninterrupted: cleaning up (interrupt again to stop at once)\n"
}

/// Writes diagnostics to standard error: the only place the executable's messages for the
/// user (not results) leave the process.
enum StderrDiagnostics {
    /// Writes `text` as is.
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Writes `dindlab: LINE` and a newline.
    static func say(_ line: String) {
        write("dindlab: \(line)\n")
    }
}
