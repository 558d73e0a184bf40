import DindLabCore
import DindLabEngines
import DockerEngine
import Foundation

/// Why a trial stopped before passing, as the executor found it.
struct TrialFailure: Error, Sendable {
    var outcome: TrialOutcome
    var phase: TrialPhase
    /// What the failing step printed (its stderr first), for the signature.
    var stepOutput: String
    /// True when the inner daemon was found dead: its fatal line is then the cause.
    var daemonDied: Bool = false

    /// The system under test failed in `phase`.
    static func failed(_ phase: TrialPhase, _ output: String, daemonDied: Bool = false) -> TrialFailure {
        TrialFailure(outcome: .fail, phase: phase, stepOutput: output, daemonDied: daemonDied)
    }

    /// Inner run `number` (from 1) exited with `status`: what the docker CLI wrote to stderr
    /// (mode d: `docker run -d` itself failing), then the harness's line with the run's output
    /// (mode d: the inner command's output, stderr merged; mode ti: everything the TTY showed).
    /// `ErrorNormaliser` takes the harness's words off again, so the signature is the inner
    /// command's own error in either mode.
    static func innerRunFailed(_ number: Int, status: Int, stderr: String, stdout: String, daemonDied: Bool)
        -> TrialFailure
    {
        // A dead daemon explains the failure better than what the docker CLI said.
        let death = daemonDied ? "the inner daemon failed: it died during inner run \(number)\n" : ""
        return .failed(
            .inner,
            death + (stderr.isEmpty ? "" : stderr + "\n") + "inner run \(number) exited with status \(status): "
                + stdout, daemonDied: daemonDied)
    }

    /// The harness or the engine failed: reported, never counted as the scenario's failure.
    static func harness(_ phase: TrialPhase, _ error: any Error) -> TrialFailure {
        TrialFailure(outcome: .error, phase: phase, stepOutput: "\(error)")
    }

    /// The scenario's inner image is not in its outer image: reported as an `error` in phase
    /// prepare, never counted as the scenario's failure (`OuterScripts.innerImageNotShipped`).
    static func innerImageNotShipped(_ sentence: String) -> TrialFailure {
        TrialFailure(outcome: .error, phase: .prepare, stepOutput: sentence)
    }

    /// The trial ran out of time in `phase`.
    static func timedOut(_ phase: TrialPhase, _ detail: String) -> TrialFailure {
        TrialFailure(outcome: .timeout, phase: phase, stepOutput: detail)
    }
}

/// Phase durations and the phase a trial is in, measured on a monotonic clock.
struct PhaseClock: Sendable {
    private(set) var durations = PhaseDurations()
    private(set) var current: TrialPhase = .outer
    private var started = ContinuousClock.now
    /// The wall-clock time each phase (last) began, to match daemon log timestamps.
    private(set) var began: [TrialPhase: Date] = [.outer: Date()]

    /// Ends the current phase and begins `phase`.
    mutating func enter(_ phase: TrialPhase) {
        finish()
        current = phase
        began[phase] = Date()
        started = .now
    }

    /// Adds the time since the phase began to it.
    mutating func finish() {
        let elapsed = (ContinuousClock.now - started).inSeconds
        durations[current] = (durations[current] ?? 0) + elapsed
        started = .now
    }

    /// Ends the current phase at `instant`, a wall-clock time measured inside the container
    /// (one exec ran two phases), and continues in `phase` as if it had begun then.
    mutating func enter(_ phase: TrialPhase, since instant: Date) {
        let previous = current
        let moved = min(max(0, Date().timeIntervalSince(instant)), (ContinuousClock.now - started).inSeconds)
        enter(phase)
        attribute(moved, to: phase, from: previous)
        began[phase] = began[phase]?.addingTimeInterval(-moved)
    }

    /// Moves time measured inside the container from one phase to another (the command
    /// script runs setup and the daemon start in one go).
    mutating func attribute(_ seconds: Double, to phase: TrialPhase, from other: TrialPhase) {
        guard seconds > 0 else { return }
        durations[phase] = (durations[phase] ?? 0) + seconds
        durations[other] = max(0, (durations[other] ?? 0) - seconds)
    }
}
