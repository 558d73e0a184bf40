import Foundation

/// A scenario's `expect.success-rate`, such as `">= 0.95"`, checked per cell.
///
/// Two checks are offered. `holds(rate:)` compares the observed rate itself.
/// `holds(interval:)` is the strict, statistical reading: a cell fails only when its
/// whole Wilson interval lies on the wrong side of the threshold, so that ten lucky
/// or unlucky trials do not decide a verdict the data cannot support.
package struct SuccessRateExpectation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How the observed rate is compared with the threshold.
    package enum Comparison: String, Sendable, Hashable, CaseIterable, Codable {
        case atLeast = ">="
        case greaterThan = ">"
        case atMost = "<="
        case lessThan = "<"
        case equal = "=="
    }

    package let comparison: Comparison
    /// The threshold, in [0, 1].
    package let threshold: Double

    /// Creates an expectation from its parts.
    /// - Throws: `ExpectationError.thresholdOutOfRange` when `threshold` is not in [0, 1].
    package init(_ comparison: Comparison, _ threshold: Double) throws(ExpectationError) {
        guard threshold.isFinite, (0...1).contains(threshold) else {
            throw .thresholdOutOfRange(String(threshold), in: "\(comparison.rawValue) \(threshold)")
        }
        self.comparison = comparison
        self.threshold = threshold
    }

    /// Parses `">= 0.95"`, `"<0.1"`, `"== 1"`: an operator (>=, >, <=, <, ==), optional
    /// spaces, and a decimal number in [0, 1].
    /// - Parameter text: The expectation as written in the scenario file.
    /// - Throws: `ExpectationError` naming what is wrong with `text`.
    package init(parsing text: String) throws(ExpectationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Longest operators first, so ">=" is not read as ">" followed by "=0.9".
        let byLength = Comparison.allCases.sorted { $0.rawValue.count > $1.rawValue.count }
        guard let comparison = byLength.first(where: { trimmed.hasPrefix($0.rawValue) }) else {
            throw .missingOperator(text)
        }
        let number = trimmed.dropFirst(comparison.rawValue.count).trimmingCharacters(in: .whitespaces)
        guard Self.isPlainDecimal(number), let value = Double(number) else {
            throw .notANumber(number, in: text)
        }
        guard (0...1).contains(value) else { throw .thresholdOutOfRange(number, in: text) }
        self.comparison = comparison
        self.threshold = value
    }

    /// Whether an observed success rate meets the expectation.
    package func holds(rate: Double) -> Bool {
        switch comparison {
        case .atLeast: rate >= threshold
        case .greaterThan: rate > threshold
        case .atMost: rate <= threshold
        case .lessThan: rate < threshold
        case .equal: rate == threshold
        }
    }

    /// The strict check: false only when the whole interval lies on the wrong side
    /// of the threshold, i.e. when the data show the expectation is violated.
    package func holds(interval: ProportionInterval) -> Bool {
        switch comparison {
        case .atLeast: interval.upper >= threshold
        case .greaterThan: interval.upper > threshold
        case .atMost: interval.lower <= threshold
        case .lessThan: interval.lower < threshold
        case .equal: interval.contains(threshold)
        }
    }

    /// The canonical spelling, e.g. `">= 0.95"`.
    package var description: String {
        let number = threshold == threshold.rounded() ? String(Int(threshold)) : String(threshold)
        return "\(comparison.rawValue) \(number)"
    }

    // Encoded as its text so that summaries read like the scenario file.
    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: error.description))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Digits with at most one decimal point: no signs, exponents, hex, "nan" or "inf",
    /// all of which `Double(_:)` would accept.
    private static func isPlainDecimal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.contains(where: { !$0.isEmpty }) else { return false }
        return parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }
}

/// A success-rate expectation that cannot be parsed.
package struct ExpectationError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case missingOperator(text: String)
        case notANumber(number: String, text: String)
        case thresholdOutOfRange(number: String, text: String)
    }

    private let code: Code

    /// The text does not start with one of >=, >, <=, <, ==.
    package static func missingOperator(_ text: String) -> ExpectationError {
        ExpectationError(code: .missingOperator(text: text))
    }

    /// What follows the operator is not a plain decimal number.
    package static func notANumber(_ number: String, in text: String) -> ExpectationError {
        ExpectationError(code: .notANumber(number: number, text: text))
    }

    /// The threshold is a number outside [0, 1].
    package static func thresholdOutOfRange(_ number: String, in text: String) -> ExpectationError {
        ExpectationError(code: .thresholdOutOfRange(number: number, text: text))
    }

    package var description: String {
        let operators = SuccessRateExpectation.Comparison.allCases.map(\.rawValue).joined(separator: ", ")
        switch code {
        case .missingOperator(let text):
            return
                "The success-rate expectation \"\(text)\" does not start with a comparison; write one of \(operators) followed by a rate, as in \">= 0.95\"."
        case .notANumber(let number, let text):
            return
                "The success-rate expectation \"\(text)\" compares with \"\(number)\", which is not a decimal number such as 0.95."
        case .thresholdOutOfRange(let number, let text):
            return
                "The success-rate expectation \"\(text)\" uses the rate \(number), but a success rate lies between 0 and 1."
        }
    }
}
