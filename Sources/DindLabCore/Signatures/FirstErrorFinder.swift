import Foundation

/// Finds the first error of a failed trial: "read the FIRST error, not the last".
///
/// The rules (DESIGN.md, Signatures):
/// 1. When the daemon died, its first fatal or panic line is the cause.
/// 2. Otherwise the earliest error-level daemon line that is not a known benign one.
///    Daemon lines are consulted only from the `daemon` phase on: in `outer` and
///    `setup` no inner daemon runs yet.
/// 3. Otherwise the failing step's output: its first error-level log line or first
///    plain line that reads like an error ("docker: Error response from daemon: ...");
///    failing that, its first non-empty line that is not a usage hint.
/// The last error is the last non-benign error of the same lines, daemon lines first,
/// since the step reports its failure after the daemon logged its cause.
package struct FirstErrorFinder: Sendable {
    /// Error lines that explain nothing and are skipped.
    package let benignPatterns: [BenignErrorPattern]
    /// How the first error becomes a signature.
    package let normaliser: ErrorNormaliser

    /// - Parameters:
    ///   - benignPatterns: Error lines to skip; by default `BenignErrorPattern.known`.
    ///   - normaliser: The normaliser for signatures.
    package init(
        benignPatterns: [BenignErrorPattern] = BenignErrorPattern.known, normaliser: ErrorNormaliser = ErrorNormaliser()
    ) {
        self.benignPatterns = benignPatterns
        self.normaliser = normaliser
    }

    /// Reads a failed trial's evidence.
    /// - Parameter evidence: The phase, daemon log, step output and whether the daemon died.
    /// - Returns: The first and last errors, every error line, and the signature.
    package func diagnose(_ evidence: FailureEvidence) -> FailureDiagnosis {
        let daemonLines = evidence.daemonLog.map { DaemonLogLine(parsing: $0) }
        let daemonErrors = daemonLines.filter(\.isError)
        let stepLines = evidence.stepOutput.split(whereSeparator: \.isNewline).map { DaemonLogLine(parsing: $0) }
        let stepErrors = stepLines.filter(Self.readsLikeError)

        let daemonMatters = evidence.phase >= .daemon
        let explaining = (daemonMatters ? daemonErrors : []).filter { !isBenign($0) }

        var first: (line: DaemonLogLine, source: FirstErrorSource)?
        if daemonMatters, evidence.daemonDied,
            let fatal = daemonErrors.first(where: { $0.level.map { $0 >= .fatal } ?? false })
        {
            first = (fatal, .daemonFatal)
        } else if let error = explaining.first {
            first = (error, .daemonLog)
        } else if let error = stepErrors.first(where: { !isBenign($0) }) ?? stepLines.first(where: Self.isMeaningful) {
            first = (error, .stepOutput)
        }

        let last = (explaining + stepErrors.filter { !isBenign($0) }).last ?? first?.line
        let firstError = first.map { $0.line.explanation }
        let normalised = firstError.map(normaliser.normalise).flatMap { $0.isEmpty ? nil : $0 }
        return FailureDiagnosis(
            phase: evidence.phase,
            firstError: firstError,
            lastError: last?.explanation,
            errorLines: (daemonErrors + stepErrors).map(\.raw),
            source: first?.source ?? .none,
            signature: "\(evidence.phase): \(normalised ?? "(no error output)")")
    }

    /// Whether a line matches one of the benign patterns.
    package func isBenign(_ line: DaemonLogLine) -> Bool {
        let explanation = line.explanation
        return benignPatterns.contains { $0.matches(explanation) }
    }

    private static let errorWords = TextPattern(
        #"\b(error|errors|failed|failure|fatal|panic|cannot|can't|couldn't|unable|denied|not found|no such|refused|timed out|invalid)\b"#,
        caseInsensitive: true)
    private static let usageHint = TextPattern(#"^(See '.*--help'\.?|Run '.*--help' for more information\.?)$"#)

    /// An error-level log line, or a plain line with an error word in it.
    private static func readsLikeError(_ line: DaemonLogLine) -> Bool {
        if let level = line.level { return level.isError }
        return errorWords.matches(line.message)
    }

    /// A line worth quoting when no line reads like an error: not empty, not a log line
    /// below error level, not a usage hint.
    private static func isMeaningful(_ line: DaemonLogLine) -> Bool {
        if let level = line.level, !level.isError { return false }
        let text = line.message.trimmingCharacters(in: .whitespaces)
        return !text.isEmpty && !usageHint.matches(text)
    }
}
