import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation

/// Prints a run's progress: one rewritten line on a terminal, a plain line every ten
/// seconds (and at the end) otherwise, so CI logs stay readable.
actor ProgressPrinter: RunObserver {
    private let isTerminal: Bool
    private let started = ContinuousClock.now
    private var lastPlainLine = ContinuousClock.now
    private var counts: [TrialOutcome: Int] = [:]
    private let write: @Sendable (String) -> Void

    /// - Parameters:
    ///   - isTerminal: Rewrite one line (true) or print plain lines (false).
    ///   - write: Where text goes (standard error by default).
    init(
        isTerminal: Bool = isatty(STDERR_FILENO) == 1,
        write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.isTerminal = isTerminal
        self.write = write
    }

    func runStarted(directory: URL, plan: Plan, engines: [TrialEngine]) async {
        var text =
            "Run \(directory.lastPathComponent): \(plan.trials.count) trial\(plan.trials.count == 1 ? "" : "s"), seed \(plan.seed)\n"
        for engine in engines {
            text +=
                "  engine \(engine.name): \(engine.client.address), Docker \(engine.fingerprint.daemonVersion ?? "?"), API \(engine.apiVersion)\n"
            if let probeError = engine.privilege.probeError {
                text +=
                    "  privileged: unknown (\(probeError)); outer containers that ask for it run with --privileged\n"
            } else if engine.fingerprint.privilegedSupported == nil {
                // No outer image of the plan is on this engine, so no probe ran: say nothing about it.
                text += "  privileged: not probed (no outer image of the plan is on this engine)\n"
            } else if engine.privilege.emulated {
                text +=
                    "  privileged: the engine refuses --privileged (\(engine.privilege.privilegedError ?? "")); outer containers that ask for it get an emulation: every capability but \(engine.privilege.refusedCapabilities.joined(separator: ", ")), seccomp and AppArmor unconfined, all devices, writable cgroups\n"
            } else {
                text += "  privileged: outer containers that ask for it run with --privileged\n"
            }
        }
        text += "  results: \(directory.path)\n"
        write(text)
    }

    func trialFinished(_ record: TrialRecord, done: Int, total: Int) async {
        counts[record.outcome, default: 0] += 1
        let line = progressLine(done: done, total: total)
        if isTerminal {
            write("\r\u{1B}[2K" + line + (done == total ? "\n" : ""))
        } else if done == total || ContinuousClock.now - lastPlainLine >= .seconds(10) {
            lastPlainLine = .now
            write(line + "\n")
        }
    }

    /// Says a notice on its own line, `dindlab: ...` (see `RunNoticeText`).
    func note(_ notice: RunNotice) async {
        write("dindlab: \(RunNoticeText.text(notice))\n")
    }

    /// Ends a rewritten line early (a run stopped before its last trial).
    func finish() {
        if isTerminal { write("\n") }
    }

    func progressLine(done: Int, total: Int) -> String {
        let elapsed = (ContinuousClock.now - started).inSeconds
        let passes = counts[.pass] ?? 0
        let judged = passes + (counts[.fail] ?? 0) + (counts[.timeout] ?? 0)
        let rate = judged > 0 ? String(format: "%.1f%%", Double(passes) / Double(judged) * 100) : "—"
        let eta = done > 0 && done < total ? " ETA " + Self.clock(elapsed / Double(done) * Double(total - done)) : ""
        return
            "[\(done)/\(total)] pass \(passes) fail \(counts[.fail] ?? 0) timeout \(counts[.timeout] ?? 0) error \(counts[.error] ?? 0) rate \(rate) elapsed \(Self.clock(elapsed))\(eta)"
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }
}
