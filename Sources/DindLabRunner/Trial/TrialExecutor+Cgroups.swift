import DindLabCore
import DindLabEngines
import DockerEngine
import Foundation

/// The steps of a trial done to cgroups from the engine's host: the exec'd daemon's divergence
/// (`daemon.cgroup-divergence`), holding the outer container's cgroup parent for removal
/// (`outer.cgroup-parent`), and the inner container's placement check (`inner.check-placement`).
extension TrialExecutor {
    /// Moves the held daemon exec's process into the sibling cgroup `docker.service` of the outer
    /// container's cgroup, in each hierarchy the scenario names, then lets it become the daemon
    /// (so everything it starts inherits the cgroups): what the exec of the field report's era
    /// did. Recorded as a step (steps.txt) and a note.
    ///
    /// - Throws: `TrialFailure` (error) where it cannot be done: a remote engine, an engine that
    ///   does not report the exec's host pid, a hierarchy the host does not have.
    func diverge(
        _ execID: String, _ divergence: CgroupDivergence, _ session: inout OuterSession, _ attempt: inout TrialAttempt
    ) async throws {
        let began = ContinuousClock.now
        let title =
            "move the exec'd daemon into diverging cgroups (daemon.cgroup-divergence: \(divergence)), from the engine's host"
        guard let enginePID = engine.localDaemonPID else {
            throw TrialFailure.harness(
                .daemon,
                "daemon.cgroup-divergence needs an engine whose host dindlab is on: it moves the exec'd daemon's process from there. The engine \(engine.name) (\(engine.client.address)) is not one (a tcp:// engine, or a socket whose daemon process dindlab cannot see); run dindlab on the engine's host, as root."
            )
        }
        let inspect = try await engine.client.inspectExec(execID, timeout: try attempt.remaining(cappedAt: callTimeout))
        guard let pid = inspect.pid, pid > 0 else {
            throw TrialFailure.harness(
                .daemon,
                "daemon.cgroup-divergence needs the exec's process id on the engine's host, and the engine \(engine.name) (API \(engine.apiVersion)) does not report it in the exec's inspect (it does from API 1.25, Docker 1.13)."
            )
        }
        var lines: [String] = []
        do {
            let view = try EngineCgroupView(enginePID: enginePID)
            guard let cgroupFile = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else {
                throw HostCgroupError(
                    "The exec'd process (pid \(pid) on the engine's host) is gone before it could be moved.")
            }
            let current = CgroupComparison.parse(cgroupFile)
            let processes = [Int32(pid)] + Self.descendants(of: Int32(pid))
            for name in divergence.hierarchies {
                let hierarchy = try view.hierarchy(named: name)
                guard let path = current.first(where: { hierarchy.matchesLine(controllers: $0.0) })?.1 else {
                    throw HostCgroupError(
                        "The exec'd process has no line for the hierarchy \(name) in /proc/\(pid)/cgroup.")
                }
                let parent = (path as NSString).deletingLastPathComponent
                let target = (parent == "/" ? "" : parent) + "/" + CgroupDivergence.siblingName
                let directory = try view.directory(of: target, in: hierarchy)
                let held = try await HostCgroupLedger.shared.hold([directory], create: true)
                session.heldCgroups += held
                for process in processes {
                    do {
                        try "\(process)\n".write(
                            toFile: directory + "/cgroup.procs", atomically: false, encoding: .utf8)
                    } catch {
                        // A child that ended meanwhile (the wait loop's sleep) is no loss; the daemon's own process is.
                        if process == Int32(pid) {
                            throw HostCgroupError(
                                "Could not move the exec'd process \(pid) into \(directory): \(error.localizedDescription)."
                            )
                        }
                    }
                }
                lines.append(
                    "\(name): \(path) -> \(target)  (mkdir\(held.isEmpty ? " not needed: it existed" : "") \(directory); echo \(processes.map(String.init).joined(separator: " ")) > cgroup.procs)"
                )
            }
            // Let the held exec become the daemon; its root is the outer container's.
            let go = "/proc/\(pid)/root" + OuterScripts.daemonGo
            guard FileManager.default.createFile(atPath: go, contents: Data()) else {
                throw HostCgroupError("Could not create \(go) to let the moved exec start the daemon.")
            }
        } catch let error as HostCgroupError {
            attempt.steps.append(
                .init(
                    phase: .daemon, title: title, command: [], error: error.description,
                    seconds: (ContinuousClock.now - began).inSeconds,
                    detail: lines.joined(separator: "\n")))
            throw TrialFailure.harness(.daemon, "daemon.cgroup-divergence: \(error.description)")
        }
        attempt.steps.append(
            .init(
                phase: .daemon, title: title, command: [], exitCode: 0,
                seconds: (ContinuousClock.now - began).inSeconds, detail: lines.joined(separator: "\n"))
        )
        attempt.notes.append(
            "cgroup divergence: the exec'd daemon (pid \(pid) on the engine's host) was moved: "
                + lines.joined(separator: "; "))
    }

    /// The descendants of a process on this machine (children first), from /proc.
    static func descendants(of pid: Int32) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for candidate in ProcessTable.allPIDs() {
            if let stat = ProcessTable.stat(candidate) { children[stat.parent, default: []].append(candidate) }
        }
        var result: [Int32] = []
        var queue = children[pid] ?? []
        while let next = queue.first {
            queue.removeFirst()
            result.append(next)
            queue += children[next] ?? []
        }
        return result
    }

    /// Holds the directories of the outer container's cgroup parent that do not exist yet in
    /// the engine's hierarchies (the engine creates them and never removes them), so the last
    /// trial that used them removes them. Remote engines: a note says they stay.
    func holdCgroupParent(_ scenario: Scenario, _ session: inout OuterSession, _ attempt: inout TrialAttempt)
        async throws
    {
        guard let parent = scenario.outer.cgroupParent, parent.hasPrefix("/") else { return }
        guard let enginePID = engine.localDaemonPID, let view = try? EngineCgroupView(enginePID: enginePID) else {
            attempt.notes.append(
                "outer.cgroup-parent \(parent): the engine \(engine.name) is not on this machine, so the cgroups it creates for the parent stay after the run."
            )
            return
        }
        var prefixes: [String] = []
        var current = ""
        for component in parent.split(separator: "/") {
            current += "/" + component
            prefixes.append(current)
        }
        var directories: [String] = []
        for hierarchy in view.hierarchies {
            for prefix in prefixes {
                if let directory = try? view.directory(of: prefix, in: hierarchy) { directories.append(directory) }
            }
        }
        session.heldCgroups += (try? await HostCgroupLedger.shared.hold(directories, create: false)) ?? []
    }

    /// Runs one more inner container that prints its /proc/self/cgroup and compares it with
    /// the inner daemon's, hierarchy by hierarchy (`inner.check-placement`). Never fails the
    /// trial: what it cannot tell goes into the notes.
    func checkPlacement(in container: String, _ attempt: inout TrialAttempt) async throws {
        let scenario = attempt.trial.cell.scenario
        let result = try await exec(
            OuterScripts.placementCheck(image: scenario.inner.image), in: container,
            title: "placement check: the inner daemon's and an inner container's cgroups", &attempt)
        let sections = OuterScripts.parseSections(result.output.stdoutText)
        guard result.exitCode == 0, let proc1 = sections["proc1-cgroup"], let daemon = sections["daemon-cgroup"],
            let inner = sections["inner-cgroup"]
        else {
            attempt.notes.append(
                "The placement check could not run (status \(result.exitCode)): \(result.output.stderrText.prefix(300))"
            )
            return
        }
        let placement = InnerPlacement(proc1: proc1, daemon: daemon, inner: inner)
        attempt.placement = placement
        if let undecided = placement.undecided {
            attempt.notes.append("The placement check cannot tell: \(undecided).")
        } else if placement.isMisplaced {
            attempt.notes.append(
                "Passed, but "
                    + placement.signature.replacingOccurrences(of: "misplaced (passed): ", with: "misplaced: ") + ".")
        }
    }
}
