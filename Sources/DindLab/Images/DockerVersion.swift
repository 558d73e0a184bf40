/// A Docker release version as Docker prints it: `1.7.1`, `17.03.2-ce`, `20.10.24`, `26.1.5`.
///
/// Distribution suffixes after `+` (Debian's `+dfsg1`) are dropped, because they say how a
/// package was made, not which Docker it is; pre-release and edition suffixes after `-`
/// (`-ce`, `-rc1`) are kept in `description` but do not take part in ordering.
public struct DockerVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int
    /// The version as printed, without distribution suffixes: `20.10.24`, `17.03.2-ce`.
    public let description: String

    /// Parses a bare version such as `1.9.1`, `20.10.24+dfsg1` or `17.03.2-ce`.
    ///
    /// - Parameter text: The version text; a leading `v` is accepted.
    /// - Returns: `nil` when the text does not start with `MAJOR.MINOR`.
    public init?(_ text: String) {
        var core = Substring(text.trimmingCharacters(in: .whitespaces))
        if core.hasPrefix("v") { core = core.dropFirst() }
        if let plus = core.firstIndex(of: "+") { core = core[..<plus] }
        let numeric = core.prefix { $0.isNumber || $0 == "." }
        let parts = numeric.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.count <= 3,
              let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        let patch = parts.count == 3 ? Int(parts[2]) : 0
        guard let patch else { return nil }
        let rest = core.dropFirst(numeric.count)
        guard rest.isEmpty || rest.hasPrefix("-") else { return nil }
        self.major = major
        self.minor = minor
        self.patch = patch
        self.description = String(core)
    }

    /// Creates a version from its numbers.
    public init(_ major: Int, _ minor: Int, _ patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.description = "\(major).\(minor).\(patch)"
    }

    /// Parses what `docker --version` or `dockerd --version` prints, in every era:
    /// `Docker version 1.7.1, build 786b29d` or `Docker version 26.1.5+dfsg1, build a72d7cd`.
    ///
    /// - Parameter output: The command's standard output.
    /// - Returns: `nil` when the output holds no `Docker version X` phrase.
    public init?(versionOutput output: String) {
        guard let range = output.range(of: "Docker version ") else { return nil }
        let word = output[range.upperBound...].prefix { !$0.isWhitespace && $0 != "," }
        self.init(String(word))
    }

    public static func < (lhs: DockerVersion, rhs: DockerVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    public static func == (lhs: DockerVersion, rhs: DockerVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) == (rhs.major, rhs.minor, rhs.patch)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
    }
}
