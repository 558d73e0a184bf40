/// An Engine API version such as "1.41", compared the way the daemon compares them:
/// component by component, numerically, a missing component counting as 0.
struct APIVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    let components: [Int]
    /// The text as the client wrote it; error messages repeat it verbatim.
    let text: String

    /// Parses digits separated by dots; nil for anything else.
    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var components: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy(\.isASCII), let value = Int(part) else { return nil }
            components.append(value)
        }
        guard !components.isEmpty else { return nil }
        self.components = components
        self.text = text
    }

    /// For versions written in this module's source; they are known to be valid.
    init(known text: String) {
        guard let version = APIVersion(text) else { preconditionFailure("\(text) is not an API version") }
        self = version
    }

    var description: String { text }

    static func == (lhs: APIVersion, rhs: APIVersion) -> Bool { compare(lhs, rhs) == 0 }

    static func < (lhs: APIVersion, rhs: APIVersion) -> Bool { compare(lhs, rhs) < 0 }

    func hash(into hasher: inout Hasher) {
        var trimmed = components
        while trimmed.count > 1, trimmed.last == 0 { trimmed.removeLast() }
        hasher.combine(trimmed)
    }

    private static func compare(_ lhs: APIVersion, _ rhs: APIVersion) -> Int {
        for index in 0..<max(lhs.components.count, rhs.components.count) {
            let left = index < lhs.components.count ? lhs.components[index] : 0
            let right = index < rhs.components.count ? rhs.components[index] : 0
            if left != right { return left < right ? -1 : 1 }
        }
        return 0
    }
}

extension APIVersion: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self.init(known: value) }
}
