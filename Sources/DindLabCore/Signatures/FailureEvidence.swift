/// What a failed trial left behind, as the trial executor hands it to `FirstErrorFinder`.
package struct FailureEvidence: Sendable, Hashable {
    /// The phase the trial failed in.
    package var phase: TrialPhase
    /// The inner daemon's log lines since the trial began, oldest first. When the daemon
    /// writes its log to the failing step's own output (a daemon started through exec),
    /// pass those lines here and not again in `stepOutput`: only daemon lines can be the
    /// fatal line of a daemon that died.
    package var daemonLog: [String]
    /// The stderr (or merged output) of the failing step.
    package var stepOutput: String
    /// Whether the inner daemon had exited when the trial failed.
    package var daemonDied: Bool

    /// - Parameters:
    ///   - phase: The phase the trial failed in.
    ///   - daemonLog: The daemon's log lines since the trial began.
    ///   - stepOutput: The failing step's stderr or output.
    ///   - daemonDied: Whether the inner daemon had exited.
    package init(phase: TrialPhase, daemonLog: [String] = [], stepOutput: String = "", daemonDied: Bool = false) {
        self.phase = phase
        self.daemonLog = daemonLog
        self.stepOutput = stepOutput
        self.daemonDied = daemonDied
    }
}

/// Where a trial's first error was found.
package enum FirstErrorSource: String, Sendable, Hashable, Codable {
    /// The fatal or panic line of a daemon that died.
    case daemonFatal
    /// The earliest error-level daemon line that is not a known benign one.
    case daemonLog
    /// The failing step's output.
    case stepOutput
    /// Nowhere: no line said anything.
    case none
}

/// The reading of a failed trial: its first error, its last, all of them, and its signature.
package struct FailureDiagnosis: Sendable, Hashable, Codable {
    /// The phase the trial failed in.
    package let phase: TrialPhase
    /// The error that explains the failure, as the daemon or the step wrote it (a log
    /// line's message with its attached error, no timestamp), or nil when none was found.
    package let firstError: String?
    /// The last error seen (what a user who reads from the bottom would report).
    package let lastError: String?
    /// Every error line of the trial, raw and in order: the daemon's error-level lines,
    /// benign ones included, then the failing step's error lines. For artifacts.
    package let errorLines: [String]
    /// Where `firstError` came from.
    package let source: FirstErrorSource
    /// `"<phase>: <normalised first error>"`; the same failure reads the same on every trial.
    package let signature: String
}
