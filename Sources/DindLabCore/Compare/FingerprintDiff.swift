/// The lines of several engines' fingerprints that differ: the field report's bad host
/// differed from the good one only in its daemon's cgroup lines, with the same kernel,
/// versions and command line.
package struct FingerprintDiff: Sendable, Hashable {
    /// One fingerprint line and each engine's value ("(absent)" where an engine has no such line).
    package struct Line: Sendable, Hashable {
        package var name: String
        package var values: [String]
    }

    /// The engines' labels, in the order given.
    package let engines: [String]
    /// Lines whose values differ between the engines, in fingerprint order.
    package let differing: [Line]
    /// How many lines are the same on every engine.
    package let sameCount: Int

    /// Placeholder for a line one engine's fingerprint does not have.
    package static let absent = "(absent)"

    /// - Parameter fingerprints: Labelled fingerprints, at least two to be useful.
    package init(_ fingerprints: [(label: String, fingerprint: EngineFingerprint)]) {
        engines = fingerprints.map(\.label)
        let tables = fingerprints.map { entry in
            Dictionary(entry.fingerprint.lines.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        }
        var names: [String] = []
        for entry in fingerprints {
            for line in entry.fingerprint.lines where !names.contains(line.name) { names.append(line.name) }
        }
        var differing: [Line] = []
        var same = 0
        for name in names {
            let values = tables.map { $0[name] ?? Self.absent }
            if Set(values).count > 1 {
                differing.append(Line(name: name, values: values))
            } else {
                same += 1
            }
        }
        self.differing = differing
        self.sameCount = same
    }

    /// True when no line differs.
    package var identical: Bool { differing.isEmpty }

    /// A table of the differing lines, one column per engine.
    package var rendered: String {
        guard !identical else {
            return "The fingerprints of \(engines.joined(separator: ", ")) are identical (\(sameCount) lines).\n"
        }
        let rows = [["line"] + engines] + differing.map { [$0.name] + $0.values }
        return SummaryTable.table(rows) + "\n\(differing.count) line(s) differ, \(sameCount) are the same.\n"
    }
}
