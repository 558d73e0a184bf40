import Foundation
import Synchronization
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner
@testable import dindlab

/// The executable words what the library reports as facts: run notices, signals, orphans.
/// The lines are the ones dindlab printed when the library wrote them itself.
@Suite("Frontend: the words for the runner's notices and the signals")
struct RunNoticeTextTests {
    @Test(
        "--jobs above the engine host's CPU count gets one line saying what it does to timings",
        arguments: [(3, 2), (100, 2), (2, 1)])
    func oversubscribed(jobs: Int, cpus: Int) {
        let line = RunNoticeText.text(.oversubscribed(jobs: jobs, engine: "default", cpus: cpus))
        #expect(
            line.hasPrefix(
                "--jobs \(jobs) runs up to \(jobs) trials at once on the engine default, whose host has \(cpus) CPU\(cpus == 1 ? "" : "s"):"
            ))
        #expect(line.contains("phase timings stretch"))
        #expect(line.hasSuffix("keep --jobs at \(cpus) or below"))
        #expect(!line.contains("\n"))
    }

    @Test(
        "containers of dead runs: a warning that names the runs and `dindlab gc`",
        arguments: [
            (
                OrphanSurvey(containers: 3, runs: ["r1", "r2"], engine: "fake"),
                "warning: 3 containers of dead runs are left on the engine fake (runs r1, r2): run `dindlab gc`"
            ),
            (
                OrphanSurvey(containers: 1, runs: ["r1"], engine: "default"),
                "warning: 1 container of dead runs is left on the engine default (run r1): run `dindlab gc`"
            ),
            (
                OrphanSurvey(containers: 5, runs: ["a", "b", "c", "d"], engine: "e"),
                "warning: 5 containers of dead runs are left on the engine e (runs a, b, c, ...): run `dindlab gc`"
            ),
        ])
    func orphans(survey: OrphanSurvey, expected: String) {
        #expect(RunNoticeText.text(.orphans(survey)) == expected)
    }

    @Test("a resumed run, a skipped cell and a lost engine are said as before")
    func runNotices() throws {
        let runID = try #require(RunID("20261129T112233Z-ab12"))
        #expect(
            RunNoticeText.text(.resuming(runID: runID, recorded: 2, total: 6))
                == "resuming run 20261129T112233Z-ab12: 2 of 6 trials are recorded, 4 to run")
        let cell = RunManifest.SkippedCell(
            scenario: "s", cellID: "c0", engine: "default", trials: 1, reason: "the outer image x is not on the engine")
        #expect(
            RunNoticeText.text(.skippedCell(cell))
                == "skipped: s c0 on default (1 trial): the outer image x is not on the engine")
        let lost = RunNoticeText.text(
            .engineLost(
                reason: "The engine default stopped answering.", engine: "default",
                runDirectory: URL(fileURLWithPath: "/r/run-1")))
        #expect(
            lost
                == "The engine default stopped answering.\nNo further trial was started. Once the engine is back, `dindlab run --resume /r/run-1` runs the rest and `dindlab gc` removes what the engine default kept of this run."
        )
    }

    @Test(
        "each signal says what it does, naming gc once containers may be left",
        arguments: [
            (SIGINT, InterruptNotice.Effect.stopping, "\nSIGINT: no new trials start;", false),
            (SIGTERM, .cancelling, "\nSIGTERM again: cancelling the running trials", true),
            (SIGINT, .quitting, "\nSIGINT a third time: quitting now;", true),
        ] as [(Int32, InterruptNotice.Effect, String, Bool)])
    func signals(signal: Int32, stage: InterruptNotice.Effect, prefix: String, namesGc: Bool) {
        let text = RunNoticeText.text(InterruptNotice(signal: signal, stage: stage))
        #expect(text.hasPrefix(prefix))
        #expect(text.hasSuffix("\n"))
        #expect(text.contains("`dindlab gc`") == namesGc)
    }

    @Test("the progress printer says notices on their own line, prefixed dindlab:")
    func printerNotes() async {
        let lines = Lines()
        let printer = ProgressPrinter(isTerminal: false, write: { lines.append($0) })
        await printer.note(.oversubscribed(jobs: 4, engine: "default", cpus: 2))
        #expect(
            lines.all == ["dindlab: " + RunNoticeText.text(.oversubscribed(jobs: 4, engine: "default", cpus: 2)) + "\n"]
        )
    }
}

/// Text written, in order.
final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// A private engine's error carries its remedy as facts; the executable words it with
/// `dindlab engine down` and the options, as the library once did itself.
@Suite("Frontend: private engine errors with their hints")
struct PrivateEngineHintTests {
    @Test(
        "each remedy reads as before",
        arguments: [
            (
                PrivateEngineError.Remedy.stopFirst(.name("v17"), processes: false, otherwise: .anotherName),
                "The name v17 belongs to the engine that runs in /e (pid 7, Docker 1.7.1); stop it first with `dindlab engine down --name v17`, or pick another --name."
            ),
            (
                .stopFirst(.directory("/tmp/x"), processes: false, otherwise: .anotherDirectory),
                "The name v17 belongs to the engine that runs in /e (pid 7, Docker 1.7.1); stop it first with `dindlab engine down --dir /tmp/x`, or pass --dir another directory."
            ),
            (
                .stopFirst(.name("default"), processes: true, otherwise: nil),
                "The name v17 belongs to the engine that runs in /e (pid 7, Docker 1.7.1); stop them first with `dindlab engine down --name default`."
            ),
            (
                .anotherNameOrRemoveFolder,
                "The name v17 belongs to the engine that runs in /e (pid 7, Docker 1.7.1); pick another --name, or remove that folder if its engine is of no more use."
            ),
            (
                .stopDaemonOrAnotherDirectory,
                "The name v17 belongs to the engine that runs in /e (pid 7, Docker 1.7.1); stop it or pass --dir another directory."
            ),
            (
                .directory("elsewhere, e.g. under /tmp or your home"),
                "The name v17 belongs to the engine that runs in /e (pid 7, Docker 1.7.1); pass --dir elsewhere, e.g. under /tmp or your home."
            ),
            (
                .binary("the dockerd of that release"),
                "The name v17 belongs to the engine that runs in /e (pid 7, Docker 1.7.1); pass --binary the dockerd of that release."
            ),
        ])
    func remedies(remedy: PrivateEngineError.Remedy, expected: String) {
        let error = PrivateEngineError(
            .alreadyRunning, "The name v17 belongs to the engine that runs in /e (pid 7, Docker 1.7.1).", remedy: remedy
        )
        #expect(DiagnosticText.text(for: error) == expected)
        #expect((DiagnosticText.worded(error) as? WordedError)?.description == expected)
        #expect(!error.description.contains("dindlab engine"), "the library's own sentence names no command")
    }

    @Test("an error without a remedy passes through unchanged")
    func withoutRemedy() {
        let error = PrivateEngineError(.launchFailed, "The launcher failed.")
        #expect(DiagnosticText.text(for: error) == "The launcher failed.")
        #expect(DiagnosticText.worded(error) is PrivateEngineError)
    }
}
