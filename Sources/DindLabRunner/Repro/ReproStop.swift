package import DindLabCore
import Foundation

/// What a repro is looking for: the first failure, or the first failure whose signature (or
/// first error) matches a regular expression.
///
/// A failure is a trial that failed or timed out. A harness error (the engine or the image is
/// missing) also ends the repro, since repeating it would only repeat the harness's problem,
/// but it is reported as an error, not as the failure sought.
package struct ReproStop: Sendable {
    // NSRegularExpression is immutable and safe to share between threads.
    private let pattern: NSRegularExpression?
    /// The pattern as given, or nil for any failure.
    package let patternText: String?

    /// Any failure.
    package static let anyFailure = ReproStop(pattern: nil, text: nil)

    private init(pattern: NSRegularExpression?, text: String?) {
        self.pattern = pattern
        self.patternText = text
    }

    /// The first failure whose signature or first error matches `regex` (ICU syntax; it may
    /// match anywhere, so anchor it with `^` to match from the phase, e.g. `^inner:`).
    /// - Throws: `ReproError` when `regex` does not compile.
    package init(signatureMatching regex: String) throws(ReproError) {
        do {
            self.init(pattern: try NSRegularExpression(pattern: regex), text: regex)
        } catch {
            throw .badSignaturePattern(regex, reason: error.localizedDescription)
        }
    }

    /// Whether a finished trial is the failure sought.
    package func isSought(_ record: TrialRecord) -> Bool {
        guard record.outcome == .fail || record.outcome == .timeout else { return false }
        guard let pattern else { return true }
        return [record.signature, record.firstError].contains { text in
            guard let text else { return false }
            return pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
    }

    /// Whether the repro ends after this trial: the failure sought, or a harness error.
    package func ends(after record: TrialRecord) -> Bool {
        record.outcome == .error || isSought(record)
    }

    /// "the first failure" or "the first failure whose signature matches /…/".
    package var description: String {
        patternText.map { "the first failure whose signature matches /\($0)/" } ?? "the first failure"
    }
}
