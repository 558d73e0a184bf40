package import Foundation

/// What /proc/PID/stat says about a process.
package struct ProcessStat: Sendable, Hashable {
    package var pid: pid_t
    /// R, S, D, Z (zombie), T, ...
    package var state: Character
    package var parent: pid_t
    /// Clock ticks after boot when the process started; with the pid it names one process
    /// for the machine's uptime, even after the pid is reused.
    package var startTicks: UInt64
}

/// Finding and signalling processes through /proc.
package enum ProcessTable {
    package static func stat(_ pid: pid_t) -> ProcessStat? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return parseStat(text)
    }

    /// Parses `PID (COMM) STATE PPID ... STARTTIME ...`; COMM may hold spaces and parentheses,
    /// so fields are counted from the last ')'.
    static func parseStat(_ text: String) -> ProcessStat? {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"),
            let pid = pid_t(text[..<open].trimmingCharacters(in: .whitespaces))
        else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state), rest[1] field 4 (ppid), rest[19] field 22 (starttime).
        guard rest.count > 19, let state = rest[0].first, let parent = pid_t(rest[1]), let start = UInt64(rest[19])
        else { return nil }
        return ProcessStat(pid: pid, state: state, parent: parent, startTicks: start)
    }

    /// Whether the process runs (exists and is not a zombie), and, when `startTicks` is given,
    /// is the very process that started then rather than a later one with a reused pid.
    static func isRunning(_ pid: pid_t, startTicks: UInt64? = nil) -> Bool {
        reapIfChild(pid)
        guard let stat = stat(pid), stat.state != "Z" else { return false }
        return startTicks == nil || stat.startTicks == startTicks
    }

    /// Collects the exit status of `pid` if it is our own exited child, so it does not linger as a
    /// zombie (`up` spawns the daemon; in a long-lived process such as the test runner it stays our child).
    ///
    /// - Returns: The wait status when the child had exited, else nil.
    @discardableResult
    static func reapIfChild(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid ? status : nil
    }

    /// The exit status of our child `pid` once it can be collected. A multi-threaded process
    /// (dockerd) shows as a zombie in /proc as soon as its main thread exits, but can be waited
    /// for only after its other threads are gone too, a moment later.
    ///
    /// - Returns: The wait status, or nil when `pid` is not our child or does not end in time.
    static func exitStatus(ofChild pid: pid_t, within timeout: Duration = .seconds(2)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            switch waitpid(pid, &status, WNOHANG) {
            case pid: return status
            case 0: try? await Task.sleep(for: .milliseconds(10))
            default: if errno != EINTR { return nil }
            }
        }
        return nil
    }

    package static func allPIDs() -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
    }

    /// "mnt:[4026531841]": the mount namespace a process lives in.
    static func mountNamespace(_ pid: pid_t) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/mnt")
    }

    /// The processes of one engine: every process whose mount namespace contains a mount at
    /// `markerMountPoint` (the engine's scratch tmpfs, mounted only inside its namespace: the
    /// daemon, containerd, shims), plus all their descendants (container processes, which live
    /// in namespaces of their own). Namespace identity alone is not enough: the kernel reuses
    /// namespace inode numbers, the marker path is unique to the engine directory.
    ///
    /// - Parameters:
    ///   - markerMountPoint: The engine's `namespaceScratch` path.
    ///   - excluding: Pids never to report (the caller itself).
    /// - Returns: Live (non-zombie) pids, sorted.
    static func processes(markedBy markerMountPoint: String, excluding: Set<pid_t> = [getpid()]) -> [pid_t] {
        var stats: [pid_t: ProcessStat] = [:]
        var namespaceMembers: [String: [pid_t]] = [:]
        for pid in allPIDs() where !excluding.contains(pid) {
            guard let stat = stat(pid), stat.state != "Z" else { continue }
            stats[pid] = stat
            if let namespace = mountNamespace(pid) {
                namespaceMembers[namespace, default: []].append(pid)
            }
        }
        var marked = Set<pid_t>()
        for members in namespaceMembers.values {
            // Any live member shows the namespace's mounts; try a few in case one just exited.
            for pid in members.prefix(3) {
                let mounts = MountTable.read(process: String(pid))
                if mounts.isEmpty { continue }
                if mounts.contains(where: { $0.mountPoint == markerMountPoint }) { marked.formUnion(members) }
                break
            }
        }
        // Add descendants until nothing changes.
        var grew = true
        while grew {
            grew = false
            for (pid, stat) in stats where !marked.contains(pid) && marked.contains(stat.parent) {
                marked.insert(pid)
                grew = true
            }
        }
        return marked.sorted()
    }

    /// Sends `signal` to each pid, ignoring those already gone.
    static func signal(_ pids: [pid_t], _ signal: Int32) {
        for pid in pids { kill(pid, signal) }
    }

    /// Waits until none of `pids` runs any more, or the timeout passes.
    ///
    /// - Returns: The pids still running at the end.
    static func waitForExit(_ pids: [pid_t], startTicks: [pid_t: UInt64] = [:], timeout: Duration) async -> [pid_t] {
        let deadline = ContinuousClock.now + timeout
        var remaining = pids
        while true {
            remaining = remaining.filter { isRunning($0, startTicks: startTicks[$0]) }
            if remaining.isEmpty || ContinuousClock.now >= deadline { return remaining }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
