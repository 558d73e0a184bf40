import DindLabCore
import Foundation

/// The daemon log lines that can explain a failure in a given phase.
///
/// A failure in the inner phase is explained by what the daemon logged while the inner run
/// was going, not by the noise it logged at start-up (a daemon that becomes ready within a
/// second logs "failed connecting to containerd" at error level while its containerd
/// starts); a failure while the daemon starts is explained by all of it. When a fault
/// restarted the daemon after the failure, what the new daemon logs explains nothing either.
/// Lines without a readable timestamp (the plain "failed to start daemon: ..." of a dying
/// dockerd, panics) are always kept.
enum DaemonLogWindow {
    /// - Parameters:
    ///   - lines: The daemon log lines of the trial.
    ///   - phase: The phase the trial failed in.
    ///   - clock: When each phase began.
    ///   - end: When the failure was seen, if the daemon may have logged unrelated lines
    ///     after it (a restart).
    /// - Returns: The lines to look for the first error in.
    static func lines(_ lines: [String], failedIn phase: TrialPhase, clock: PhaseClock, until end: Date? = nil)
        -> [String]
    {
        let since = phase > .daemon ? clock.began[phase] : nil
        guard since != nil || end != nil else { return lines }
        return lines.filter { line in
            guard let text = DaemonLogLine(parsing: line).time, let logged = interval(text) else { return true }
            if let since, logged.upperBound < since { return false }
            if let end, logged.lowerBound > end { return false }
            return true
        }
    }

    /// The instant an RFC 3339 time names, as an interval: a time with fractional seconds is
    /// one instant, a time in whole seconds (Docker 1.x's) covers its whole second. The
    /// container's clock is the host's, so the interval compares with the phase clock. Nil
    /// for anything else (such as the relative `0000` of Docker 1.7's terminal format).
    static func interval(_ text: String) -> ClosedRange<Date>? {
        guard let fraction = text.range(of: #"\.\d+"#, options: .regularExpression) else {
            return formatter.date(from: text).map { $0...$0.addingTimeInterval(1) }
        }
        var whole = text
        whole.removeSubrange(fraction)
        guard let second = formatter.date(from: whole), let value = Double("0" + text[fraction]) else { return nil }
        let instant = second.addingTimeInterval(value)
        return instant...instant
    }

    nonisolated(unsafe) private static let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }()
}
