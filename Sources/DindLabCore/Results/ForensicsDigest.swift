package import Foundation

/// A mount under `/var/lib/docker` that was still there after the inner container ended:
/// the field report's stale shm and mqueue mounts and devicemapper devices broke every later
/// inner run.
package struct LeftoverMount: Sendable, Hashable, Codable {
    /// What the mount is, by its mount point, file system and source.
    package enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case shm, mqueue, overlay, devicemapper, other
    }

    package var kind: Kind
    package var mountPoint: String
    package var fileSystem: String
    package var source: String

    package init(kind: Kind, mountPoint: String, fileSystem: String, source: String) {
        self.kind = kind
        self.mountPoint = mountPoint
        self.fileSystem = fileSystem
        self.source = source
    }

    /// Reads a line of /proc/<pid>/mountinfo:
    /// `id parent major:minor root mount-point options [optional fields] - fstype source super-options`.
    /// Returns nil for a line that does not have that shape.
    package init?(mountinfoLine line: String) {
        let fields = line.split(separator: " ").map(String.init)
        guard fields.count >= 7, let separator = fields.firstIndex(of: "-"), separator >= 6,
            separator + 2 < fields.count
        else { return nil }
        mountPoint = Self.unescape(fields[4])
        fileSystem = fields[separator + 1]
        source = Self.unescape(fields[separator + 2])
        kind = Self.kind(mountPoint: mountPoint, fileSystem: fileSystem, source: source)
    }

    static func kind(mountPoint: String, fileSystem: String, source: String) -> Kind {
        let name = (mountPoint as NSString).lastPathComponent
        if name == "shm" { return .shm }
        if name == "mqueue" || fileSystem == "mqueue" { return .mqueue }
        if fileSystem == "overlay" || fileSystem == "overlayfs" || mountPoint.contains("/overlay") { return .overlay }
        if mountPoint.contains("/devicemapper/") || source.hasPrefix("/dev/mapper/") || source.hasPrefix("/dev/dm-") {
            return .devicemapper
        }
        return .other
    }

    /// mountinfo escapes space, tab, newline and backslash as octal (`\040`).
    static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var result = ""
        var characters = Substring(field)
        while let first = characters.first {
            if first == "\\", characters.count >= 4, let code = UInt8(characters.dropFirst().prefix(3), radix: 8) {
                result.append(Character(UnicodeScalar(code)))
                characters = characters.dropFirst(4)
            } else {
                result.append(first)
                characters = characters.dropFirst()
            }
        }
        return result
    }
}

/// What `forensics.md` indexes, also kept as `forensics.json` so that a failed trial can be
/// compared with a passing trial of the same cell from the run folder alone, after the run.
package struct ForensicsDigest: Sendable, Hashable, Codable {
    /// One process's `/proc/<pid>/cgroup`, as "controllers:path" lines.
    package struct ProcessCgroups: Sendable, Hashable, Codable {
        package var process: String
        package var lines: [String]

        package init(process: String, lines: [String]) {
            self.process = process
            self.lines = lines
        }
    }

    package var trialID: String
    package var scenario: String
    package var cellID: String
    package var engine: String
    package var outcome: TrialOutcome
    package var phase: TrialPhase?
    package var signature: String?
    package var firstError: String?
    /// The line of daemon.log marked as the first error (from 1), when it came from the log.
    package var firstErrorLine: Int?
    /// PID 1's, the daemon's and an exec'd process's cgroups.
    package var cgroups: [ProcessCgroups]
    package var dockerMounts: [LeftoverMount]
    /// `docker info` of the inner daemon, line by line.
    package var dockerInfo: [String]
    /// The files of the artifacts folder.
    package var files: [String]
    /// What could not be collected.
    package var problems: [String]

    package static let jsonFileName = "forensics.json"
    package static let markdownFileName = "forensics.md"

    package init(
        trialID: String, scenario: String, cellID: String, engine: String, outcome: TrialOutcome,
        phase: TrialPhase? = nil, signature: String? = nil, firstError: String? = nil, firstErrorLine: Int? = nil,
        cgroups: [ProcessCgroups] = [], dockerMounts: [LeftoverMount] = [], dockerInfo: [String] = [],
        files: [String] = [], problems: [String] = []
    ) {
        self.trialID = trialID
        self.scenario = scenario
        self.cellID = cellID
        self.engine = engine
        self.outcome = outcome
        self.phase = phase
        self.signature = signature
        self.firstError = firstError
        self.firstErrorLine = firstErrorLine
        self.cgroups = cgroups
        self.dockerMounts = dockerMounts
        self.dockerInfo = dockerInfo
        self.files = files
        self.problems = problems
    }

    /// The cgroup lines side by side.
    package var cgroupComparison: CgroupComparison? {
        cgroups.isEmpty
            ? nil : CgroupComparison(cgroups.map { ($0.process, $0.lines.map { "0:" + $0 }.joined(separator: "\n")) })
    }

    /// Reads `forensics.json` from an artifacts folder, or nil when it is missing or unreadable.
    package static func read(from folder: URL) -> ForensicsDigest? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(jsonFileName)) else { return nil }
        return try? ResultsJSON.decoder().decode(ForensicsDigest.self, from: data)
    }

    /// Writes forensics.json and forensics.md (best effort: forensics never fail a trial).
    /// - Parameters:
    ///   - folder: The trial's artifacts folder.
    ///   - difference: What differs from a passing trial of the same cell, when one was found.
    package func write(to folder: URL, difference: ForensicsDifference? = nil) {
        if let data = try? ResultsJSON.encoder(pretty: true).encode(self) {
            try? data.write(to: folder.appendingPathComponent(Self.jsonFileName), options: .atomic)
        }
        try? Data(markdown(difference: difference).utf8).write(
            to: folder.appendingPathComponent(Self.markdownFileName), options: .atomic)
    }

    /// What each artifact holds, for the index.
    static let fileDescriptions: [(file: String, what: String)] = [
        ("daemon.log", "the inner daemon's whole log; the first error is marked `>>> `"),
        ("steps.txt", "every command run in the outer container, with its status and output"),
        (
            "cgroups.txt",
            "`/proc/1/cgroup`, the daemon's and an exec'd process's cgroup lines side by side; `*` marks hierarchies that differ"
        ),
        (
            "cgroup-files.txt",
            "the outer container's /sys/fs/cgroup mount and, on cgroup v2, `cgroup.controllers`, `cgroup.subtree_control` and `cgroup.type` of its cgroup and the cgroups below it"
        ),
        (
            "processes.txt",
            "every process in the outer container (pid, parent pid, command line): after a killed daemon, the containerd-shims and `runc init`s of the inner runs it interrupted"
        ),
        ("mountinfo.txt", "`/proc/self/mountinfo` in the outer container"),
        ("docker-mounts.txt", "mounts left under `/var/lib/docker` after the inner container ended"),
        ("docker-info.txt", "`docker info` of the inner daemon"),
        ("docker-version.txt", "`docker version` of the inner daemon"),
        ("outer-inspect.json", "the outer container's inspect JSON"),
        ("problems.txt", "what could not be collected, and why"),
        ("forensics.json", "this index, machine-readable"),
    ]

    /// The index: outcome, first error, cgroups, leftover mounts, the files, and what differs
    /// from a passing trial of the same cell.
    package func markdown(difference: ForensicsDifference? = nil) -> String {
        var text = "# Forensics of trial \(trialID)\n\n"
        text += "- scenario: \(scenario), cell: `\(cellID)`, engine: \(engine)\n"
        text += "- outcome: **\(outcome)**" + (phase.map { " in phase **\($0)**" } ?? "") + "\n"
        if let signature { text += "- signature: `\(Self.inline(signature))`\n" }
        if let firstError {
            text +=
                "- first error: `\(Self.inline(firstError))`"
                + (firstErrorLine.map { " (daemon.log line \($0), marked `>>> `)" } ?? "") + "\n"
        }

        text += "\n## cgroups\n\n"
        if let comparison = cgroupComparison {
            let differing = comparison.rows.filter(\.differs)
            if differing.isEmpty {
                text += "PID 1, the daemon and an exec'd process are in the same cgroups.\n"
            } else {
                text +=
                    "The processes are in different cgroups in \(differing.count) hierarch\(differing.count == 1 ? "y" : "ies") (see cgroups.txt):\n\n"
                text += "| hierarchy | " + comparison.columns.joined(separator: " | ") + " |\n"
                text += "|---|" + String(repeating: "---|", count: comparison.columns.count) + "\n"
                for row in differing {
                    text +=
                        "| \(row.controllers.isEmpty ? "(unified)" : row.controllers) | "
                        + row.paths.map { "`\($0 ?? "(none)")`" }.joined(separator: " | ") + " |\n"
                }
            }
        } else {
            text += "Not collected.\n"
        }

        text += "\n## Mounts left under /var/lib/docker\n\n"
        if dockerMounts.isEmpty {
            text += "None.\n"
        } else {
            let counts = LeftoverMount.Kind.allCases.compactMap { kind -> String? in
                let count = dockerMounts.count { $0.kind == kind }
                return count == 0 ? nil : "\(count) \(kind)"
            }
            text += counts.joined(separator: ", ") + ":\n\n"
            for mount in dockerMounts {
                text += "- \(mount.kind): `\(mount.mountPoint)` (\(mount.fileSystem) from \(mount.source))\n"
            }
        }

        if let difference {
            text += "\n" + difference.markdown
        }

        text += "\n## Files\n\n| file | what it holds |\n|---|---|\n"
        for (file, what) in Self.fileDescriptions where files.contains(file) {
            let line = file == "daemon.log" ? firstErrorLine.map { " (line \($0))" } ?? "" : ""
            text += "| [\(file)](\(file)) | \(what)\(line) |\n"
        }
        if !problems.isEmpty {
            text += "\n## Problems\n\n" + problems.map { "- \(Self.inline($0))\n" }.joined()
        }
        return text
    }

    /// Text for inside backticks: one line, no backticks.
    static func inline(_ text: String) -> String {
        text.replacingOccurrences(of: "`", with: "'").split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
