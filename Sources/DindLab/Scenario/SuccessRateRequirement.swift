import Foundation

/// A bound on a cell's success rate, written `">= 0.95"`: an operator (`>=`, `>`, `<=`, `<`,
/// `==`) and a rate from 0 to 1.
public struct SuccessRateRequirement: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How the observed rate is compared with the bound.
    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case atLeast = ">="
        case greaterThan = ">"
        case atMost = "<="
        case lessThan = "<"
        case equal = "=="
    }

    /// How the observed rate is compared with `rate`.
    public let comparison: Comparison
    /// The bound, from 0 to 1.
    public let rate: Double

    /// Creates a requirement.
    /// - Parameters:
    ///   - comparison: How the observed rate is compared.
    ///   - rate: The bound, from 0 to 1.
    public init(_ comparison: Comparison, _ rate: Double) {
        self.comparison = comparison
        self.rate = rate
    }

    /// Reads `">= 0.95"`, `"==1"`, `"< .5"`.
    /// - Parameter text: An operator, optional spaces, and a decimal number from 0 to 1.
    /// - Returns: nil when the text is not of that form or the number is outside 0...1.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Two-character operators first: ">= 0.9" also starts with ">".
        let operators = Comparison.allCases.sorted { $0.rawValue.count > $1.rawValue.count }
        guard let comparison = operators.first(where: { trimmed.hasPrefix($0.rawValue) }) else { return nil }
        let number = trimmed.dropFirst(comparison.rawValue.count).trimmingCharacters(in: .whitespaces)
        let isDecimal = !number.isEmpty && number.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
            && number.filter { $0 == "." }.count <= 1 && number != "."
        guard isDecimal, let rate = Double(number), (0...1).contains(rate) else { return nil }
        self.init(comparison, rate)
    }

    /// Whether an observed success rate satisfies the requirement.
    /// - Parameter observed: The observed rate, from 0 to 1.
    /// - Returns: Whether it satisfies the bound.
    public func isSatisfied(by observed: Double) -> Bool {
        switch comparison {
        case .atLeast: return observed >= rate
        case .greaterThan: return observed > rate
        case .atMost: return observed <= rate
        case .lessThan: return observed < rate
        case .equal: return observed == rate
        }
    }

    /// `>= 0.95`.
    public var description: String { "\(comparison.rawValue) \(rate)" }

    /// Reads the same text the scenario file holds.
    /// - Throws: `DecodingError.dataCorrupted` when the text is not a requirement.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = SuccessRateRequirement(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "expected a requirement such as \">= 0.95\", got \"\(text)\""))
        }
        self = parsed
    }

    /// Writes `">= 0.95"`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
