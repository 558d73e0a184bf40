/// The cgroup hierarchies in which an exec-started inner daemon is placed apart from the outer
/// container's PID 1 (`daemon.cgroup-divergence`): the field report's root cause, replayed.
///
/// In the report's era the engine's systemd cgroup driver put processes entered through
/// `docker exec` into other cgroups than PID 1's (`name=systemd:/.../docker.service`), and runc
/// derives cgroup paths from `/proc/1/cgroup` vs `/proc/self/cgroup`. dindlab does the same from
/// the engine's host: it moves the exec'd daemon's process into the sibling cgroup
/// `docker.service` of the outer container's cgroup, in these hierarchies only.
///
/// Written as `none`, one hierarchy (`name=systemd`, `cpu`, `unified` for cgroup v2), or a list
/// of them; its text form (cell ids, `--only`) is `none` or the hierarchies separated by spaces.
package struct CgroupDivergence: Sendable, Hashable, Codable, CustomStringConvertible, RawRepresentable {
    /// The hierarchies, as written: a v1 controller (`cpu`), a named hierarchy
    /// (`name=systemd`), or `unified`. Empty for none.
    package let hierarchies: [String]

    /// The cgroup the daemon is moved into, a sibling of the outer container's own.
    package static let siblingName = "docker.service"

    /// - Parameter hierarchies: The hierarchies; empty for none.
    package init(hierarchies: [String]) {
        self.hierarchies = hierarchies
    }

    /// No divergence.
    package static let none = CgroupDivergence(hierarchies: [])

    package var isNone: Bool { hierarchies.isEmpty }

    package var description: String { rawValue }

    package var rawValue: String { isNone ? "none" : hierarchies.joined(separator: " ") }

    /// Reads the text form; nil when a word is not a hierarchy name (see `problem(with:)`).
    package init?(rawValue: String) {
        let words = rawValue.split(whereSeparator: \.isWhitespace).map(String.init)
        if words == ["none"] {
            self = .none
            return
        }
        guard !words.isEmpty, words.allSatisfy({ Self.problem(with: $0) == nil }) else { return nil }
        self.init(hierarchies: words)
    }

    /// Why a word is not a hierarchy name, or nil when it is one.
    static func problem(with word: String) -> String? {
        let isName = { (text: Substring) in
            !text.isEmpty
                && text.unicodeScalars.allSatisfy {
                    $0.isASCII
                        && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0))
                }
        }
        if word.hasPrefix("name=") {
            return isName(word.dropFirst(5))
                ? nil : "a named hierarchy is name= and a name of letters, digits, '_', '.' or '-'"
        }
        if word == "none" { return "none stands alone, it cannot be listed with hierarchies" }
        return isName(Substring(word)) && !word.contains(".")
            ? nil : "a hierarchy is a v1 controller (cpu, memory, ...), name=NAME, or unified"
    }

    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = CgroupDivergence(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not a cgroup divergence"))
        }
        self = value
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
