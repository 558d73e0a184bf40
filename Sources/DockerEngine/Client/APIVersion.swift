/// An Engine API version such as 1.19 (Docker 1.7) or 1.45 (Docker 26).
public struct APIVersion: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    /// The oldest API this client speaks: Docker 1.7.
    public static let oldestSupported = APIVersion(1, 19)
    /// The newest API this client speaks: Docker 28.
    public static let newestSupported = APIVersion(1, 51)

    /// Creates a version from its numbers.
    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses "1.41" (a leading "v" is accepted); nil for anything else.
    public init?(_ string: String) {
        // Blanks trimmed by hand: Foundation's trimmingCharacters bridges through NSString,
        // which cost more than a whole /_ping round trip (every ping parses Api-Version).
        var text = Substring(string)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        if text.hasPrefix("v") { text = text.dropFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0 else {
            return nil
        }
        self.init(major, minor)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = APIVersion(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not an API version"))
        }
        self = version
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: APIVersion, rhs: APIVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    public var description: String { "\(major).\(minor)" }
}

import Foundation
