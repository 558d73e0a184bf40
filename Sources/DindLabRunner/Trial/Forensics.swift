import DindLabCore
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
    static func collect(from container: String, client: EngineClient, steps: StepLog, logOffset: Int) async -> Forensics
    {
        var forensics = Forensics(steps: steps)
        do {
            let result = try await client.exec(
                in: container, OuterScripts.forensics, limit: 8 << 20, timeout: .seconds(30))
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
        let logSinceTrial =
            logOffset > 0
            ? String(decoding: Data(forensics.daemonLog.utf8).dropFirst(logOffset), as: UTF8.self) : forensics.daemonLog
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
        if let processes = sections["processes"] { put("processes.txt", processes) }
        put("mountinfo.txt", sections["mountinfo"] ?? "")
        put("docker-mounts.txt", dockerMounts.joined(separator: "\n") + "\n")
        put("docker-info.txt", sections["docker-info"] ?? "")
        put("docker-version.txt", sections["docker-version"] ?? "")
        if let inspectJSON { put("outer-inspect.json", inspectJSON) }
        if !problems.isEmpty { put("problems.txt", problems.joined(separator: "\n") + "\n") }
        let digest = self.digest(
            record: record, firstErrorLine: marked.line, files: written + ["forensics.json", "forensics.md"])
        digest.write(to: folder)
    }

    /// What forensics.md summarises.
    func digest(record: TrialRecord, firstErrorLine: Int?, files: [String]) -> ForensicsDigest {
        var processes: [ForensicsDigest.ProcessCgroups] = []
        if let cgroups {
            processes = cgroups.columns.indices.map { column in
                ForensicsDigest.ProcessCgroups(
                    process: cgroups.columns[column],
                    lines: cgroups.rows.compactMap { row in
                        row.paths[column].map { "\(row.controllers):\($0)" }
                    })
            }
        }
        return ForensicsDigest(
            trialID: record.trialID, scenario: record.scenario, cellID: record.cellID, engine: record.engine,
            outcome: record.outcome, phase: record.failingPhase, signature: record.signature,
            firstError: record.firstError,
            firstErrorLine: firstErrorLine, cgroups: processes,
            dockerMounts: dockerMounts.compactMap(LeftoverMount.init(mountinfoLine:)),
            dockerInfo: (sections["docker-info"] ?? "").split(separator: "\n").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty },
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
