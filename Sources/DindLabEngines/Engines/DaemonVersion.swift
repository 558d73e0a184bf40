/// The version of a Docker daemon binary, as the binary itself reports it
/// ("Docker version 1.7.1, build 786b29d", "Docker version 20.10.24+dfsg1, build 297e128").
///
/// Versions order by their numbers only: the suffix ("+dfsg1", "-ce") is kept for display
/// but never decides which flags a daemon understands.
package struct DaemonVersion: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    package let major: Int
    package let minor: Int
    package let patch: Int
    /// The version exactly as the binary printed it, e.g. "17.03.2-ce" or "26.1.5+dfsg1".
    package let text: String

    /// Creates a version from its numbers.
    ///
    /// - Parameters:
    ///   - major: The first number (1 for 1.7.1, 20 for 20.10.24).
    ///   - minor: The second number.
    ///   - patch: The third number (0 when the binary printed none).
    ///   - text: The version as printed; defaults to "MAJOR.MINOR.PATCH".
    package init(_ major: Int, _ minor: Int, _ patch: Int = 0, text: String? = nil) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.text = text ?? "\(major).\(minor).\(patch)"
    }

    /// Reads the version out of what `docker --version`, `docker -v` or `dockerd --version` print.
    ///
    /// - Parameter output: The command's output, e.g. "Docker version 1.7.1, build 786b29d".
    /// - Returns: The version, or nil when the output names none.
    package init?(versionOutput output: String) {
        // The word "version" followed by N.N[.N] and an optional suffix up to a comma or space.
        let words = output.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "," })
        guard let keyword = words.firstIndex(where: { $0.lowercased() == "version" }),
            keyword + 1 < words.count
        else { return nil }
        var token = words[keyword + 1]
        if token.first == "v" { token = token.dropFirst() }
        self.init(versionText: String(token))
    }

    /// Parses a bare version such as "1.7.1", "17.03.2-ce" or "20.10.24+dfsg1".
    ///
    /// - Parameter text: The version text.
    /// - Returns: The version, or nil when the text does not start with MAJOR.MINOR.
    package init?(versionText text: String) {
        let numbersEnd = text.firstIndex(where: { !($0.isASCII && ($0.isNumber || $0 == ".")) }) ?? text.endIndex
        let numbers = text[..<numbersEnd].split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count >= 2, numbers.count <= 3,
            let major = Int(numbers[0]), let minor = Int(numbers[1])
        else { return nil }
        var patch = 0
        if numbers.count == 3 {
            guard let value = Int(numbers[2]) else { return nil }
            patch = value
        }
        self.init(major, minor, patch, text: text)
    }

    package var description: String { text }

    package static func < (lhs: DaemonVersion, rhs: DaemonVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    package static func == (lhs: DaemonVersion, rhs: DaemonVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) == (rhs.major, rhs.minor, rhs.patch)
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
    }

    // Stored as the text the binary printed ("20.10.24+dfsg1"), which is what people grep for.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let version = DaemonVersion(versionText: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a Docker version such as 20.10.24.")
        }
        self = version
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
