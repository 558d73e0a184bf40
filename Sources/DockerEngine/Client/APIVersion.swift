import Foundation

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

    /// Parses "1.41" (a leading "v" and surrounding blanks are accepted); nil for anything else.
    public init?(_ string: String) {
        // On the UTF-8 bytes and without an array: every ping parses Api-Version, and
        // Character-based parsing (or Foundation's trimming) cost more than a /_ping round
        // trip's own work outside libcurl.
        var text = Substring(string).utf8.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        while let last = text.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { text = text.dropLast() }
        if text.first == UInt8(ascii: "v") { text = text.dropFirst() }
        var major: Int?
        var current: Int?
        for byte in text {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let (value, overflow) = (current ?? 0).multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                current = value + Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "."):
                guard major == nil, let number = current else { return nil }
                major = number
                current = nil
            default:
                return nil
            }
        }
        guard let major, let minor = current else { return nil }
        self.init(major, minor)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = APIVersion(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not an API version"))
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: APIVersion, rhs: APIVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    public var description: String { "\(major).\(minor)" }
}
