package import Foundation

/// What differs between the forensics of a failed trial and a passing trial of the same cell:
/// the field report's "compare a good host with a bad one line by line", for two trials.
///
/// Compared: each process's cgroup lines (with container ids and numbers normalised, since
/// they change from trial to trial), the kinds of mounts left under /var/lib/docker, and the
/// inner daemon's `docker info` lines, less those that differ on every trial (see
/// `volatileInfoKeys`).
package struct ForensicsDifference: Sendable, Hashable {
    /// One hierarchy of one process where the two trials disagree.
    package struct CgroupLine: Sendable, Hashable {
        package var process: String
        package var hierarchy: String
        package var failed: String?
        package var passed: String?
    }

    /// How many mounts of one kind each trial left behind.
    package struct MountCount: Sendable, Hashable {
        package var kind: LeftoverMount.Kind
        package var failed: Int
        package var passed: Int
    }

    package let failedTrialID: String
    package let passingTrialID: String
    /// The passing trial's engine, which may differ from the failed trial's.
    package let passingEngine: String
    package let sameEngine: Bool
    package let cgroupLines: [CgroupLine]
    package let mountCounts: [MountCount]
    package let infoOnlyInFailed: [String]
    package let infoOnlyInPassing: [String]

    /// `docker info` keys whose values change on every trial (ids, names, clocks, counters of
    /// the daemon's own goroutines and descriptors); their lines are not compared. Lines are
    /// compared with their words in any order (see `canonical`).
    package static let volatileInfoKeys: Set<String> = [
        "ID", "Name", "System Time", "File Descriptors", "Goroutines", "EventsListeners",
    ]

    /// - Parameters:
    ///   - failed: The failed trial's digest.
    ///   - passing: The passing trial's digest.
    package init(failed: ForensicsDigest, passing: ForensicsDigest) {
        failedTrialID = failed.trialID
        passingTrialID = passing.trialID
        passingEngine = passing.engine
        sameEngine = failed.engine == passing.engine

        let normaliser = ErrorNormaliser(maximumLength: 10_000)
        func table(_ digest: ForensicsDigest) -> [String: [String: String]] {
            var table: [String: [String: String]] = [:]
            for process in digest.cgroups {
                for line in process.lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    table[process.process, default: [:]][String(line[..<colon])] = normaliser.normalise(
                        String(line[line.index(after: colon)...]))
                }
            }
            return table
        }
        let failedTable = table(failed)
        let passedTable = table(passing)
        var lines: [CgroupLine] = []
        for process in Self.ordered(failed.cgroups.map(\.process) + passing.cgroups.map(\.process)) {
            let failedRows = failedTable[process] ?? [:]
            let passedRows = passedTable[process] ?? [:]
            let hierarchies = Self.ordered(
                (failed.cgroups.first { $0.process == process }?.lines ?? [])
                    + (passing.cgroups.first { $0.process == process }?.lines ?? [])
            )
            .compactMap {
                $0.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
            }
            for hierarchy in Self.ordered(hierarchies) where failedRows[hierarchy] != passedRows[hierarchy] {
                lines.append(
                    CgroupLine(
                        process: process, hierarchy: hierarchy, failed: failedRows[hierarchy],
                        passed: passedRows[hierarchy]))
            }
        }
        cgroupLines = lines

        mountCounts = LeftoverMount.Kind.allCases.compactMap { kind in
            let count = MountCount(
                kind: kind, failed: failed.dockerMounts.count { $0.kind == kind },
                passed: passing.dockerMounts.count { $0.kind == kind })
            return count.failed == count.passed ? nil : count
        }

        let failedInfo = Self.comparableInfo(failed.dockerInfo)
        let passingInfo = Self.comparableInfo(passing.dockerInfo)
        let failedKeys = Set(failedInfo.map(Self.canonical))
        let passingKeys = Set(passingInfo.map(Self.canonical))
        infoOnlyInFailed = failedInfo.filter { !passingKeys.contains(Self.canonical($0)) }
        infoOnlyInPassing = passingInfo.filter { !failedKeys.contains(Self.canonical($0)) }
    }

    /// True when nothing compared differs.
    package var isEmpty: Bool {
        cgroupLines.isEmpty && mountCounts.isEmpty && infoOnlyInFailed.isEmpty && infoOnlyInPassing.isEmpty
    }

    /// `docker info` lines without the volatile ones.
    static func comparableInfo(_ lines: [String]) -> [String] {
        lines.filter { line in
            guard let colon = line.firstIndex(of: ":") else { return true }
            return !volatileInfoKeys.contains(line[..<colon].trimmingCharacters(in: .whitespaces))
        }
    }

    /// A line with its words sorted: lists such as `Runtimes: runc io.containerd.runc.v2` come
    /// in a different order from one daemon start to the next, which means nothing.
    static func canonical(_ line: String) -> String {
        line.split(separator: " ").sorted().joined(separator: " ")
    }

    private static func ordered(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }

    /// A section of forensics.md.
    package var markdown: String {
        var text = "## Compared with passing trial \(passingTrialID)\n\n"
        text +=
            "The passing trial ran in the same cell"
            + (sameEngine ? " on the same engine" : " on engine \(passingEngine)")
            + "; see [its artifacts](../\(passingTrialID)/forensics.md).\n\n"
        if isEmpty {
            text +=
                "Nothing compared differs: the cgroup lines, the mounts left under /var/lib/docker and `docker info` (less \(Self.volatileInfoKeys.sorted().joined(separator: ", "))) are the same.\n"
            return text
        }
        text += "### cgroup lines\n\n"
        if cgroupLines.isEmpty {
            text += "The same (container ids and numbers normalised).\n"
        } else {
            text += "| process | hierarchy | this trial | passing trial |\n|---|---|---|---|\n"
            for line in cgroupLines {
                text +=
                    "| \(line.process) | \(line.hierarchy.isEmpty ? "(unified)" : line.hierarchy) | `\(line.failed ?? "(none)")` | `\(line.passed ?? "(none)")` |\n"
            }
        }
        text += "\n### Mounts left under /var/lib/docker\n\n"
        if mountCounts.isEmpty {
            text += "The same kinds and counts.\n"
        } else {
            text += "| kind | this trial | passing trial |\n|---|---|---|\n"
            for count in mountCounts {
                text += "| \(count.kind) | \(count.failed) | \(count.passed) |\n"
            }
        }
        text += "\n### docker info\n\n"
        if infoOnlyInFailed.isEmpty && infoOnlyInPassing.isEmpty {
            text += "The same lines.\n"
        } else {
            text += "```diff\n"
            text += infoOnlyInPassing.map { "- \($0)\n" }.joined()
            text += infoOnlyInFailed.map { "+ \($0)\n" }.joined()
            text += "```\n(`-` only in the passing trial, `+` only in this one.)\n"
        }
        return text
    }
}

/// After a run: the forensics.md of each failed trial gets a section on what differs from a
/// passing trial of the same cell, when the run collected forensics of one (`--forensics
/// always`, or a scenario with `forensics: always`).
package enum ForensicsCrossReference {
    /// Rewrites the forensics.md of failed trials that have a passing counterpart. Passing
    /// trials on the same engine are preferred, then the nearest in run order. Never throws:
    /// what cannot be read is left as it is.
    ///
    /// - Parameters:
    ///   - runDirectory: The run's folder.
    ///   - records: The run's trial records.
    /// - Returns: The failed trials whose index now has a comparison, by trial id.
    @discardableResult
    package static func annotate(runDirectory: URL, records: [TrialRecord]) -> [String: String] {
        let passing = records.filter { $0.outcome == .pass && $0.artifactsPath != nil }
        guard !passing.isEmpty else { return [:] }
        var compared: [String: String] = [:]
        var passingDigests: [String: ForensicsDigest?] = [:]
        func digest(_ record: TrialRecord) -> ForensicsDigest? {
            guard let path = record.artifactsPath else { return nil }
            return ForensicsDigest.read(from: runDirectory.appendingPathComponent(path, isDirectory: true))
        }
        for record in records where record.outcome != .pass {
            guard let path = record.artifactsPath, let failed = digest(record) else { continue }
            let candidates = passing.filter { $0.scenario == record.scenario && $0.cellID == record.cellID }
                .sorted {
                    ($0.engine != record.engine ? 1 : 0, abs($0.sequence - record.sequence)) < (
                        $1.engine != record.engine ? 1 : 0, abs($1.sequence - record.sequence)
                    )
                }
            for candidate in candidates {
                if passingDigests[candidate.trialID] == nil {
                    passingDigests[candidate.trialID] = .some(digest(candidate))
                }
                guard let passed = passingDigests[candidate.trialID] ?? nil else { continue }
                failed.write(
                    to: runDirectory.appendingPathComponent(path, isDirectory: true),
                    difference: ForensicsDifference(failed: failed, passing: passed))
                compared[record.trialID] = candidate.trialID
                break
            }
        }
        return compared
    }
}
