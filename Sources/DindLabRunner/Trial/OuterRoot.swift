import DindLabCore
import DockerEngine
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An outer container's file system as the engine's host sees it: through `/proc/<pid>/root`
/// of the container's PID 1, when the engine runs on this machine in dindlab's own PID
/// namespace (a Unix socket, as for private engines and the default engine).
///
/// Through it dindlab waits for the inner daemon with file checks and one `GET /_ping` on the
/// inner daemon's own socket, and imports the inner image with `POST /images/create?fromSrc=-`
/// on that socket: the same daemon operations the docker CLI would do inside the container,
/// without a `docker exec` (a runc exec on the engine) and without a docker CLI process per
/// step. Where the view cannot be had (a remote engine, a pid that is not the container's),
/// trials wait and load through exec, as before (`OuterScripts.waitReady`).
struct OuterRoot: Sendable {
    /// The outer container's PID 1 on this machine.
    let pid: Int

    /// `/proc/<pid>/root`: the container's root as this machine sees it.
    let prefix: String

    init(pid: Int) {
        self.init(pid: pid, prefix: "/proc/\(pid)/root")
    }

    /// A view rooted at any folder (tests stand a folder in for a container's root).
    init(pid: Int, prefix: String) {
        self.pid = pid
        self.prefix = prefix
    }

    /// Set to `exec` to wait and load through exec even on a local engine (to compare the two
    /// routes, or when the host view misbehaves).
    static let routeVariable = "DINDLAB_READINESS"

    /// Why a trial cannot use the host view of its outer container, or nil when it can.
    ///
    /// - Parameters:
    ///   - endpoint: The engine's endpoint; only a Unix socket is on this machine.
    ///   - environment: The scenario's `outer.env` (a DOCKER_HOST there points the inner CLI elsewhere).
    ///   - daemonCommand: The inner daemon's command (its own `-H` puts the socket elsewhere).
    static func unusableReason(
        endpoint: EngineAddress.Endpoint, environment: [String: String], daemonCommand: [String],
        processEnvironment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        if processEnvironment[routeVariable] == "exec" { return "\(routeVariable)=exec asks for exec" }
        guard case .unix = endpoint else { return "the engine is not on this machine (not a Unix socket)" }
        if environment[EngineConfiguration.hostVariable] != nil {
            return "outer.env sets DOCKER_HOST, so the inner daemon is not the one at /var/run/docker.sock"
        }
        if daemonCommand.contains(where: {
            $0 == "-H" || $0 == "--host" || $0.hasPrefix("-H=") || $0.hasPrefix("--host=")
        }) {
            return "the inner daemon's command sets its own -H/--host"
        }
        return nil
    }

    /// The view of a started container, after checking that `/proc/<pid>/root` is that
    /// container's root: Docker writes the container's short id into its /etc/hostname.
    ///
    /// - Returns: The view, or why there is none.
    static func find(pid: Int, containerID: String) -> Result<OuterRoot, ViewError> {
        guard pid > 0 else { return .failure(ViewError("the engine reports no pid for the outer container")) }
        let root = OuterRoot(pid: pid)
        guard let hostname = try? String(contentsOfFile: root.prefix + "/etc/hostname", encoding: .utf8) else {
            return .failure(
                ViewError(
                    "\(root.prefix)/etc/hostname cannot be read (the engine's pid \(pid) is not in this PID namespace, or dindlab may not look there)"
                ))
        }
        let name = hostname.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, containerID.hasPrefix(name) else {
            return .failure(
                ViewError(
                    "\(root.prefix)/etc/hostname says \(name), not the outer container \(containerID.prefix(12)) (the engine's pids are not this machine's)"
                ))
        }
        return .success(root)
    }

    struct ViewError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The host path of `path` inside the container, with the container's symbolic links
    /// followed inside its root (an absolute link such as Debian's /var/run -> /run would
    /// otherwise lead to the host's own /run).
    func hostPath(_ path: String) -> String {
        var resolved: [String] = []
        var pending = path.split(separator: "/").map(String.init)
        var hops = 0
        while !pending.isEmpty {
            let part = pending.removeFirst()
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                if !resolved.isEmpty { resolved.removeLast() }
                continue
            }
            let candidate = prefix + "/" + (resolved + [part]).joined(separator: "/")
            var info = stat()
            if lstat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK, hops < 40,
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: candidate)
            {
                hops += 1
                if target.hasPrefix("/") { resolved = [] }
                pending = target.split(separator: "/").map(String.init) + pending
                continue
            }
            resolved.append(part)
        }
        return prefix + "/" + resolved.joined(separator: "/")
    }

    /// Whether a file exists at `path` inside the container.
    func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: hostPath(path))
    }

    /// The text of a file inside the container, nil when it cannot be read.
    func read(_ path: String) -> String? {
        try? String(contentsOfFile: hostPath(path), encoding: .utf8)
    }

    /// The size of a file inside the container, nil when it cannot be read.
    func size(_ path: String) -> Int? {
        var info = stat()
        return stat(hostPath(path), &info) == 0 ? Int(info.st_size) : nil
    }

    /// Whether the process `pid` of the container's own PID namespace runs (and is not a
    /// zombie), read from the container's /proc; true when that cannot be told.
    func processRuns(_ innerPID: Int) -> Bool {
        // /proc/1 and not /proc/self: seen from the host, the container's /proc/self points
        // at a pid dindlab does not have in that namespace.
        guard FileManager.default.fileExists(atPath: prefix + "/proc/1") else { return true }
        guard let stat = try? String(contentsOfFile: prefix + "/proc/\(innerPID)/stat", encoding: .utf8) else {
            return false
        }
        // The state follows the command's closing parenthesis: "pid (comm) S ...".
        guard let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].drop(while: { $0 == " " }).first
        return state != "Z" && state != "X"
    }

    /// Where the inner daemon's socket is from the host.
    var socketPath: String { hostPath("/var/run/docker.sock") }

    /// Waits, from the host, until the inner daemon answers `GET /_ping` on its socket, its
    /// setup failed, it died, or `timeout` passed: what `OuterScripts.waitReady` does in an exec.
    ///
    /// Polls every 5 ms, and only file checks poll (a stat through /proc costs microseconds and
    /// no process): the daemon is seen as soon as its socket appears. Once the socket exists
    /// the ping connects and waits until the daemon serves (the kernel queues the connection).
    ///
    /// - Returns: The status, the inner daemon's client when it answered, and what was done,
    ///   line by line, for the step log.
    func waitReady(timeout: Duration) async -> (status: OuterScripts.ReadyStatus, client: EngineClient?, detail: String)
    {
        let state = OuterScripts.stateDirectory
        let end = ContinuousClock.now + timeout
        func backoff() async {
            try? await Task.sleep(for: .milliseconds(5))
        }
        while !exists("\(state)/setup.done") || (!exists(OuterScripts.daemonPID) && !exists("\(state)/setup.failed")) {
            guard ContinuousClock.now < end, !Task.isCancelled else {
                return (.timedOut, nil, "the outer container's command did not start the daemon in time")
            }
            await backoff()
        }
        if exists("\(state)/setup.failed") { return (.setupFailed, nil, "a setup line failed (\(state)/setup.failed)") }
        let daemonPID = read(OuterScripts.daemonPID).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        var lastError = ""
        while true {
            let socket = socketPath
            var info = stat()
            if stat(socket, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK {
                let client = EngineClient(address: EngineAddress(endpoint: .unix(path: socket)))
                let left = end - .now
                do {
                    let ping = try await client.ping(timeout: max(.milliseconds(100), min(left, .seconds(2))))
                    client.settle(from: ping)
                    return (.ready, client, "GET /_ping on \(socket): OK")
                } catch {
                    lastError = "\(error)"
                }
            }
            if let daemonPID, !processRuns(daemonPID) {
                return (
                    .daemonDied, nil,
                    "the inner daemon (pid \(daemonPID) in the container) is gone"
                        + (lastError.isEmpty ? "" : "; the last ping: \(lastError)")
                )
            }
            guard ContinuousClock.now < end, !Task.isCancelled else {
                return (
                    .timedOut, nil,
                    "no answer on \(socket)" + (lastError.isEmpty ? "" : "; the last ping: \(lastError)")
                )
            }
            await backoff()
        }
    }

    /// Imports an inner image the outer image ships under /dindlab/images/ into the inner
    /// daemon, as `docker import - REF < FILE` does (POST /images/create?fromSrc=-).
    ///
    /// - Parameters:
    ///   - checkFirst: Skip the import when the daemon has the image (GET /images/REF/json).
    /// - Returns: What was done, for the step log.
    /// - Throws: `TrialFailure` (error, phase prepare) when the outer image ships no such file;
    ///   `EngineError` when the inner daemon refuses the import.
    func importInnerImage(_ name: String, into client: EngineClient, checkFirst: Bool, timeout: Duration) async throws
        -> String
    {
        let reference = name.split(separator: "/").last?.contains(":") == true ? name : name + ":latest"
        if checkFirst, try await client.inspectImage(reference, timeout: timeout) != nil {
            return "the inner daemon has \(reference): nothing imported"
        }
        let file = "/dindlab/images/\(OuterScripts.imageFileName(name)).tar"
        let hostFile = hostPath(file)
        guard FileManager.default.fileExists(atPath: hostFile) else {
            let holds = (try? FileManager.default.contentsOfDirectory(atPath: hostPath("/dindlab/images"))) ?? []
            throw TrialFailure.innerImageNotShipped(OuterScripts.innerImageNotShipped(name, holding: holds.sorted()))
        }
        // `reference` has a tag (":latest" was added where it had none).
        let split = reference.lastIndex(of: ":") ?? reference.endIndex
        let tag = split == reference.endIndex ? "latest" : String(reference[reference.index(after: split)...])
        let id = try await client.importImage(
            tarFile: URL(fileURLWithPath: hostFile), repository: String(reference[..<split]), tag: tag, timeout: timeout
        )
        return "POST /images/create?fromSrc=- with \(hostFile) as \(reference): \(id)"
    }

    /// One inner run with `mode: d` from the engine's host: `docker run -d` through the inner
    /// docker CLI in an exec (what is under test), then `POST /containers/ID/wait` and `GET
    /// /containers/ID/logs` on the inner daemon's socket instead of the `docker wait` and
    /// `docker logs` CLIs: the same answers without two CLI processes per trial. The result is
    /// what `OuterScripts.innerDetached` gives: the container's status, its output in one
    /// stream (stderr merged in order), 125 when `docker run` failed, 126 when the wait did.
    ///
    /// - Throws: `EngineError` when the wait reached the trial's deadline (a timeout), so the
    ///   trial is recorded as one, as an exec that outlives it is.
    static func runDetached(run: ExecResult, client: EngineClient, limit: Int, timeout: Duration) async throws -> (
        result: ExecResult, detail: String
    ) {
        guard run.exitCode == 0 else {
            return (
                ExecResult(exitCode: 125, output: run.output, execID: run.execID),
                "docker run -d exited with status \(run.exitCode)"
            )
        }
        let id = run.output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        var output = CollectedOutput(limit: limit)
        do {
            let status = try await client.waitContainer(id, timeout: timeout)
            output = try await client.containerLogs(id, tty: false, limit: limit, merged: true, timeout: timeout)
            return (
                ExecResult(exitCode: status, output: output, execID: run.execID),
                "docker run -d printed \(id.prefix(12)); POST /containers/\(id.prefix(12))/wait: \(status); GET /containers/\(id.prefix(12))/logs: \(output.stdout.count) bytes"
            )
        } catch let error as EngineError where error.isTimeout {
            throw error
        } catch {
            output.append(Data("docker wait \(id) failed: \(error)\n".utf8), to: .stderr)
            return (
                ExecResult(exitCode: 126, output: output, execID: run.execID),
                "waiting for \(id.prefix(12)) on the inner daemon's socket failed: \(error)"
            )
        }
    }
}
