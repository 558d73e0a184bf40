package import Foundation

/// An in-process fake Docker Engine on a temporary Unix socket, for HTTP-level tests of
/// Engine API clients. It plays a daemon of a given release (`DaemonPersona`): version
/// negotiation and error wording of that era, containers and exec instances whose processes
/// are scripted (`setProgram`), images, events; and it misbehaves on request (`setFault`).
///
/// Every request is recorded (`requests`) before it is answered.
///
///     try await FakeEngine.withRunning(.docker26) { engine in
///         engine.setFault(.splitWrites(sizes: [1, 3]), forPathContaining: "/logs")
///         let client = EngineClient(address: engine.address)
///         ...
///     }
package final class FakeEngine: Sendable {
    /// The daemon this engine plays.
    package let persona: DaemonPersona
    /// The socket's path, e.g. "/tmp/fake-engine-AbC123/docker.sock".
    package let socketPath: String
    private let state: EngineState
    private let server: UnixSocketServer

    /// "unix:///tmp/fake-engine-.../docker.sock", as DOCKER_HOST would say it.
    package var address: String { "unix://" + socketPath }

    private init(persona: DaemonPersona, state: EngineState, server: UnixSocketServer) {
        self.persona = persona
        self.state = state
        self.server = server
        self.socketPath = server.socketPath
    }

    /// Starts a fake engine on a fresh temporary socket. Prefer `withRunning`, which always stops it.
    /// - Parameter persona: the daemon to play.
    /// - Returns: the running engine; call `stop()` when done.
    /// - Throws: `FakeEngineError` when the persona's versions are not versions or the socket cannot be set up.
    package static func start(_ persona: DaemonPersona) throws -> FakeEngine {
        for (field, value) in [("apiVersion", persona.apiVersion), ("minAPIVersion", persona.minAPIVersion)]
        where APIVersion(value) == nil {
            throw FakeEngineError.invalidPersona(persona, field: field, value: value)
        }
        let state = EngineState(persona: persona)
        let server = try UnixSocketServer { connection in
            ConnectionHandler(connection: connection, state: state, persona: persona).run()
        }
        server.start()
        return FakeEngine(persona: persona, state: state, server: server)
    }

    /// Starts a server on a fresh temporary Unix socket, runs `body`, then stops the server
    /// and removes the socket and its folder, also when `body` throws. Stopping waits for the
    /// server's threads on a thread of its own, so that it never holds up the cooperative
    /// thread pool that the other tests of the process (deadline tests among them) share.
    /// - Parameters:
    ///   - persona: the daemon to play.
    ///   - body: the test, given the running engine.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws, or `FakeEngineError` when the engine cannot start.
    package static func withRunning<T: Sendable>(
        _ persona: DaemonPersona,
        _ body: (FakeEngine) async throws -> T
    ) async throws -> T {
        let engine = try start(persona)
        do {
            let result = try await body(engine)
            await engine.stopOffThePool()
            return result
        } catch {
            await engine.stopOffThePool()
            throw error
        }
    }

    private func stopOffThePool() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                stop()
                continuation.resume()
            }
            thread.name = "FakeEngine stop"
            thread.start()
        }
    }

    /// Stops serving: closes the listening socket and every open connection (hung and
    /// streaming ones included), waits for their threads, removes the socket and its folder.
    /// Idempotent.
    package func stop() {
        state.markStopping()
        server.stop()
    }

    /// Connection and accept threads still running; 0 after `stop()` joined them all.
    var runningThreadCount: Int { server.runningThreadCount }

    // MARK: Misbehaving

    /// Makes requests whose target (path and query) contains `fragment` misbehave, until cleared.
    /// - Parameters:
    ///   - fault: the misbehaviour; nil clears the fault set for this fragment.
    ///   - fragment: a substring of the request target, e.g. "/_ping" or "/exec/".
    package func setFault(_ fault: Fault?, forPathContaining fragment: String) {
        state.access { $0.faults.set(fault, forPathContaining: fragment, times: nil) }
    }

    /// Like `setFault(_:forPathContaining:)`, for the next `times` matching requests only
    /// (to test retries).
    package func setFault(_ fault: Fault, forPathContaining fragment: String, times: Int) {
        state.access { $0.faults.set(fault, forPathContaining: fragment, times: max(1, times)) }
    }

    /// Sets what containers and exec instances "run": called with the argv (entrypoint and
    /// command) and whether the process has a TTY, when the container or exec starts.
    /// Until set, `ScriptedProcess.defaultProgram` runs.
    package func setProgram(_ program: @escaping @Sendable (_ command: [String], _ tty: Bool) -> ScriptedProcess) {
        state.access { $0.program = program }
    }

    /// Makes the daemon unable to apply capabilities outside `capabilities` (nil: all), as a
    /// dockerd that lacks CAP_SYS_RESOURCE on some VMs: starts that ask for another one, or for
    /// `--privileged`, fail with the era's "operation not permitted".
    package func setGrantableCapabilities(_ capabilities: Set<String>?) {
        state.access { $0.grantableCapabilities = capabilities }
    }

    // MARK: Observing and seeding

    /// The requests received so far, in the order their bodies were read.
    package var requests: [RecordedRequest] { state.access { $0.requests } }

    /// Forgets the requests received so far.
    package func clearRequests() { state.access { $0.requests.removeAll() } }

    /// Makes an image known, as if pulled; "busybox:latest" is known from the start.
    /// - Parameters:
    ///   - reference: e.g. "dindlab/outer:bookworm" ("busybox" means "busybox:latest").
    ///   - labels: the image's labels.
    ///   - cmd: the image's default command.
    ///   - entrypoint: the image's entrypoint.
    /// - Returns: the image id ("sha256:..." for personas with API 1.22 or later).
    @discardableResult
    package func addImage(
        _ reference: String, labels: [String: String] = [:], cmd: [String]? = ["sh"],
        entrypoint: [String]? = nil
    ) -> String {
        state.access {
            $0.addImage(reference: reference, labels: labels, cmd: cmd, entrypoint: entrypoint, size: 1_000_000)
        }
    }

    /// Puts a file into a container's filesystem, for `GET /containers/{id}/archive` to return.
    /// - Parameters:
    ///   - contents: the file's bytes.
    ///   - path: an absolute path; missing folders are created.
    ///   - mode: permission bits.
    ///   - container: the container's id, id prefix or name.
    /// - Throws: `FakeEngineError` when there is no such container.
    package func addFile(_ contents: Data, at path: String, mode: Int = 0o644, inContainer container: String) throws {
        do {
            try state.access { try $0.addFile(contents, at: path, mode: mode, container: container) }
        } catch let error as APIError {
            throw FakeEngineError.rejected(error)
        }
    }
}
