import Foundation

/// A compiled regular expression with the few operations the signature code needs.
///
/// ICU regular expressions (NSRegularExpression) rather than Swift's `Regex`, because
/// the normaliser needs look-behind, which `Regex` lacks.
struct TextPattern: Sendable {
    // NSRegularExpression is immutable and documented as safe to share between threads.
    private let expression: NSRegularExpression

    /// - Parameter pattern: An ICU pattern known at compile time; a typo is a programming error.
    init(_ pattern: String, caseInsensitive: Bool = false) {
        do {
            expression = try NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
        } catch {
            preconditionFailure("The built-in pattern \(pattern) does not compile: \(error)")
        }
    }

    /// Whether the pattern occurs anywhere in `text`.
    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The capture groups of the first match (group 0 is the whole match); nil when no match.
    /// Groups that did not take part in the match are nil.
    func firstMatch(in text: String) -> [Substring?]? {
        guard let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else {
            return nil
        }
        return (0..<match.numberOfRanges).map { group in
            Range(match.range(at: group), in: text).map { text[$0] }
        }
    }

    /// Replaces every match by what `replacement` returns for it; returning nil keeps the match.
    /// - Parameter replacement: Called with the match and the text it was found in.
    func replacingMatches(in text: String, with replacement: (_ match: Range<String.Index>, _ text: String) -> String?)
        -> String
    {
        let matches = expression.matches(in: text, range: NSRange(text.startIndex..., in: text))
        guard !matches.isEmpty else { return text }
        var result = ""
        var cursor = text.startIndex
        for match in matches {
            guard let range = Range(match.range, in: text) else { continue }
            result += text[cursor..<range.lowerBound]
            result += replacement(range, text) ?? String(text[range])
            cursor = range.upperBound
        }
        result += text[cursor...]
        return result
    }

    /// Replaces every match by a fixed string.
    func replacingMatches(in text: String, with replacement: String) -> String {
        replacingMatches(in: text) { _, _ in replacement }
    }
}
