import DockerEngine
import Foundation

/// The environment of a trial, read from inside its outer container: what the field report
/// collected by hand (cgroup lines of PID 1, the daemon and an exec'd process, mounts, the
/// daemon's log and its own view) in one exec.
struct Forensics: Sendable {
    var sections: [String: String] = [:]
    var inspectJSON: Data?
    var steps: StepLog
    var cgroups: CgroupComparison?
    /// The daemon log lines written since the trial began.
    var daemonLogLines: [String] = []
    /// The whole daemon log.
    var daemonLog = ""
    /// The first error the signature was built from, marked in the artifacts.
    var firstError: String?
    /// Why collecting failed, if it did.
    var problems: [String] = []

    /// Reads everything; never throws, since forensics must not turn a failure into an error.
    ///
    /// - Parameter logOffset: Bytes of the daemon log that belong to earlier trials of the cell.
    static func collect(from container: String, client: EngineClient, steps: StepLog, logOffset: Int) async -> Forensics {
        var forensics = Forensics(steps: steps)
        do {
            let result = try await client.exec(in: container, OuterScripts.forensics, limit: 8 << 20, timeout: .seconds(30))
            forensics.sections = OuterScripts.parseSections(result.output.stdoutText)
            if let note = result.output.truncationNote { forensics.problems.append(note) }
        } catch {
            forensics.problems.append("Reading the environment inside the outer container failed: \(error)")
        }
        do {
            forensics.inspectJSON = try await client.inspectContainerJSON(container, timeout: .seconds(15))
        } catch {
            forensics.problems.append("Inspecting the outer container failed: \(error)")
        }
        forensics.daemonLog = forensics.sections["daemon-log"] ?? ""
        let logSinceTrial = logOffset > 0 ? String(decoding: Data(forensics.daemonLog.utf8).dropFirst(logOffset), as: UTF8.self) : forensics.daemonLog
        forensics.daemonLogLines = logSinceTrial.split(separator: "\n").map(String.init)
        if let proc1 = forensics.sections["proc1-cgroup"], let exec = forensics.sections["exec-cgroup"] {
            forensics.cgroups = CgroupComparison([
                ("/proc/1/cgroup", proc1),
                ("daemon /proc/<pid>/cgroup", forensics.sections["daemon-cgroup"] ?? ""),
                ("exec'd /proc/self/cgroup", exec),
            ])
        }
        return forensics
    }

    /// Mounts under /var/lib/docker (shm, mqueue, overlay, devicemapper) from mountinfo.
    var dockerMounts: [String] {
        (sections["mountinfo"] ?? "").split(separator: "\n").filter { $0.contains("/var/lib/docker/") }.map(String.init)
    }

    /// Writes the artifacts folder of the trial, with `forensics.md` (an index of what was
    /// collected and what stands out) and `forensics.json` (the same, for comparing trials
    /// after the run). Best effort: a file that cannot be written is left out.
    ///
    /// - Parameters:
    ///   - folder: `artifacts/<trial id>/`.
    ///   - record: The trial's record so far (outcome, phase, signature, first error).
    func write(to folder: URL, record: TrialRecord) {
        var written: [String] = []
        func put(_ name: String, _ data: Data) {
            if (try? data.write(to: folder.appendingPathComponent(name))) != nil { written.append(name) }
        }
        func put(_ name: String, _ text: String) { put(name, Data(text.utf8)) }
        let marked = markedDaemonLog
        put("daemon.log", marked.text)
        put("steps.txt", steps.rendered)
        if let cgroups { put("cgroups.txt", cgroups.rendered) }
        if let files = sections["cgroup-files"] { put("cgroup-files.txt", files) }
        put("mountinfo.txt", sections["mountinfo"] ?? "")
        put("docker-mounts.txt", dockerMounts.joined(separator: "\n") + "\n")
        put("docker-info.txt", sections["docker-info"] ?? "")
        put("docker-version.txt", sections["docker-version"] ?? "")
        if let inspectJSON { put("outer-inspect.json", inspectJSON) }
        if !problems.isEmpty { put("problems.txt", problems.joined(separator: "\n") + "\n") }
        let digest = self.digest(record: record, firstErrorLine: marked.line, files: written + ["forensics.json", "forensics.md"])
        digest.write(to: folder)
    }

    /// What forensics.md summarises.
    func digest(record: TrialRecord, firstErrorLine: Int?, files: [String]) -> ForensicsDigest {
        var processes: [ForensicsDigest.ProcessCgroups] = []
        if let cgroups {
            processes = cgroups.columns.indices.map { column in
                ForensicsDigest.ProcessCgroups(process: cgroups.columns[column], lines: cgroups.rows.compactMap { row in
                    row.paths[column].map { "\(row.controllers):\($0)" }
                })
            }
        }
        return ForensicsDigest(
            trialID: record.trialID, scenario: record.scenario, cellID: record.cellID, engine: record.engine,
            outcome: record.outcome, phase: record.failingPhase, signature: record.signature, firstError: record.firstError,
            firstErrorLine: firstErrorLine, cgroups: processes,
            dockerMounts: dockerMounts.compactMap(LeftoverMount.init(mountinfoLine:)),
            dockerInfo: (sections["docker-info"] ?? "").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            files: files, problems: problems)
    }

    /// The daemon log with the line of the first error marked by ">>> ", and that line's number.
    private var markedDaemonLog: (text: String, line: Int?) {
        guard let firstError, !firstError.isEmpty else { return (daemonLog, nil) }
        var markedLine: Int?
        let text = daemonLog.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { number, line in
            if markedLine == nil && line.contains(firstError) {
                markedLine = number + 1
                return ">>> " + line
            }
            return String(line)
        }.joined(separator: "\n")
        return (text, markedLine)
    }
}

/// A mount under `/var/lib/docker` that was still there after the inner container ended:
/// the field report's stale shm and mqueue mounts and devicemapper devices broke every later
/// inner run.
public struct LeftoverMount: Sendable, Hashable, Codable {
    /// What the mount is, by its mount point, file system and source.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case shm, mqueue, overlay, devicemapper, other
    }

    public var kind: Kind
    public var mountPoint: String
    public var fileSystem: String
    public var source: String

    public init(kind: Kind, mountPoint: String, fileSystem: String, source: String) {
        self.kind = kind
        self.mountPoint = mountPoint
        self.fileSystem = fileSystem
        self.source = source
    }

    /// Reads a line of /proc/<pid>/mountinfo:
    /// `id parent major:minor root mount-point options [optional fields] - fstype source super-options`.
    /// Returns nil for a line that does not have that shape.
    public init?(mountinfoLine line: String) {
        let fields = line.split(separator: " ").map(String.init)
        guard fields.count >= 7, let separator = fields.firstIndex(of: "-"), separator >= 6, separator + 2 < fields.count else { return nil }
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
        if mountPoint.contains("/devicemapper/") || source.hasPrefix("/dev/mapper/") || source.hasPrefix("/dev/dm-") { return .devicemapper }
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
public struct ForensicsDigest: Sendable, Hashable, Codable {
    /// One process's `/proc/<pid>/cgroup`, as "controllers:path" lines.
    public struct ProcessCgroups: Sendable, Hashable, Codable {
        public var process: String
        public var lines: [String]

        public init(process: String, lines: [String]) {
            self.process = process
            self.lines = lines
        }
    }

    public var trialID: String
    public var scenario: String
    public var cellID: String
    public var engine: String
    public var outcome: TrialOutcome
    public var phase: TrialPhase?
    public var signature: String?
    public var firstError: String?
    /// The line of daemon.log marked as the first error (from 1), when it came from the log.
    public var firstErrorLine: Int?
    /// PID 1's, the daemon's and an exec'd process's cgroups.
    public var cgroups: [ProcessCgroups]
    public var dockerMounts: [LeftoverMount]
    /// `docker info` of the inner daemon, line by line.
    public var dockerInfo: [String]
    /// The files of the artifacts folder.
    public var files: [String]
    /// What could not be collected.
    public var problems: [String]

    public static let jsonFileName = "forensics.json"
    public static let markdownFileName = "forensics.md"

    public init(
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
    public var cgroupComparison: CgroupComparison? {
        cgroups.isEmpty ? nil : CgroupComparison(cgroups.map { ($0.process, $0.lines.map { "0:" + $0 }.joined(separator: "\n")) })
    }

    /// Reads `forensics.json` from an artifacts folder, or nil when it is missing or unreadable.
    public static func read(from folder: URL) -> ForensicsDigest? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(jsonFileName)) else { return nil }
        return try? ResultsJSON.decoder().decode(ForensicsDigest.self, from: data)
    }

    /// Writes forensics.json and forensics.md (best effort: forensics never fail a trial).
    /// - Parameters:
    ///   - folder: The trial's artifacts folder.
    ///   - difference: What differs from a passing trial of the same cell, when one was found.
    public func write(to folder: URL, difference: ForensicsDifference? = nil) {
        if let data = try? ResultsJSON.encoder(pretty: true).encode(self) {
            try? data.write(to: folder.appendingPathComponent(Self.jsonFileName), options: .atomic)
        }
        try? Data(markdown(difference: difference).utf8).write(to: folder.appendingPathComponent(Self.markdownFileName), options: .atomic)
    }

    /// What each artifact holds, for the index.
    static let fileDescriptions: [(file: String, what: String)] = [
        ("daemon.log", "the inner daemon's whole log; the first error is marked `>>> `"),
        ("steps.txt", "every command run in the outer container, with its status and output"),
        ("cgroups.txt", "`/proc/1/cgroup`, the daemon's and an exec'd process's cgroup lines side by side; `*` marks hierarchies that differ"),
        ("cgroup-files.txt", "the outer container's /sys/fs/cgroup mount and, on cgroup v2, `cgroup.controllers`, `cgroup.subtree_control` and `cgroup.type` of its cgroup and the cgroups below it"),
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
    public func markdown(difference: ForensicsDifference? = nil) -> String {
        var text = "# Forensics of trial \(trialID)\n\n"
        text += "- scenario: \(scenario), cell: `\(cellID)`, engine: \(engine)\n"
        text += "- outcome: **\(outcome)**" + (phase.map { " in phase **\($0)**" } ?? "") + "\n"
        if let signature { text += "- signature: `\(Self.inline(signature))`\n" }
        if let firstError {
            text += "- first error: `\(Self.inline(firstError))`" + (firstErrorLine.map { " (daemon.log line \($0), marked `>>> `)" } ?? "") + "\n"
        }

        text += "\n## cgroups\n\n"
        if let comparison = cgroupComparison {
            let differing = comparison.rows.filter(\.differs)
            if differing.isEmpty {
                text += "PID 1, the daemon and an exec'd process are in the same cgroups.\n"
            } else {
                text += "The processes are in different cgroups in \(differing.count) hierarch\(differing.count == 1 ? "y" : "ies") (see cgroups.txt):\n\n"
                text += "| hierarchy | " + comparison.columns.joined(separator: " | ") + " |\n"
                text += "|---|" + String(repeating: "---|", count: comparison.columns.count) + "\n"
                for row in differing {
                    text += "| \(row.controllers.isEmpty ? "(unified)" : row.controllers) | " + row.paths.map { "`\($0 ?? "(none)")`" }.joined(separator: " | ") + " |\n"
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
