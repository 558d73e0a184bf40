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

    /// Writes the artifacts folder of the trial.
    ///
    /// - Parameter mask: Applied to every text written (secret environment values).
    func write(to folder: URL, masking mask: (String) -> String = { $0 }) {
        func put(_ name: String, _ text: String) {
            try? Data(mask(text).utf8).write(to: folder.appendingPathComponent(name))
        }
        put("daemon.log", markedDaemonLog)
        put("steps.txt", steps.rendered)
        if let cgroups { put("cgroups.txt", cgroups.rendered) }
        put("mountinfo.txt", sections["mountinfo"] ?? "")
        put("docker-mounts.txt", dockerMounts.joined(separator: "\n") + "\n")
        put("docker-info.txt", sections["docker-info"] ?? "")
        put("docker-version.txt", sections["docker-version"] ?? "")
        if let inspectJSON { put("outer-inspect.json", String(decoding: inspectJSON, as: UTF8.self)) }
        if !problems.isEmpty { put("problems.txt", problems.joined(separator: "\n") + "\n") }
    }

    /// The daemon log with the line of the first error marked by ">>> ".
    private var markedDaemonLog: String {
        guard let firstError, !firstError.isEmpty else { return daemonLog }
        var marked = false
        return daemonLog.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if !marked && line.contains(firstError) {
                marked = true
                return ">>> " + line
            }
            return String(line)
        }.joined(separator: "\n")
    }
}
