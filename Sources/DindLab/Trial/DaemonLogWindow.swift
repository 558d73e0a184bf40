import Foundation

/// The daemon log lines that can explain a failure in a given phase.
///
/// A failure in the inner phase is explained by what the daemon logged while the inner run
/// was going, not by the noise it logged at start-up; a failure while the daemon starts is
/// explained by all of it. Lines without a readable timestamp (the plain "failed to start
/// daemon: ..." of a dying dockerd, panics) are always kept.
enum DaemonLogWindow {
    /// - Parameters:
    ///   - lines: The daemon log lines of the trial.
    ///   - phase: The phase the trial failed in.
    ///   - clock: When each phase began.
    /// - Returns: The lines to look for the first error in.
    static func lines(_ lines: [String], failedIn phase: TrialPhase, clock: PhaseClock) -> [String] {
        guard phase > .daemon, let began = clock.began[phase] else { return lines }
        // Clocks of the host and the container are the same; allow for rounding.
        let since = began.addingTimeInterval(-1)
        return lines.filter { line in
            guard let time = DaemonLogLine(parsing: line).time, let date = parse(time) else { return true }
            return date >= since
        }
    }

    /// Reads an RFC 3339 time with or without fractional seconds; nil for anything else
    /// (such as the relative `0000` of Docker 1.7's terminal format).
    static func parse(_ text: String) -> Date? {
        let withoutFraction = text.replacingOccurrences(of: #"\.\d+"#, with: "", options: .regularExpression)
        return formatter.date(from: withoutFraction)
    }

    nonisolated(unsafe) private static let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }()
}
