public import Foundation

extension EngineClient {
    /// POST /containers/{id}/exec.
    ///
    /// - Returns: The exec instance's id.
    /// - Throws: `EngineError` (409 when the container is not running).
    public func createExec(in containerID: String, _ config: ExecConfig, timeout: Duration? = nil) async throws
        -> String
    {
        struct Created: Decodable {
            var id: String
            enum CodingKeys: String, CodingKey { case id = "Id" }
        }
        let body = try JSONEncoder().encode(config)
        let created: Created = try decode(
            await request(
                "POST", "/containers/\(containerID)/exec", body: .data(body, contentType: "application/json"),
                timeout: timeout))
        return created.id
    }

    /// POST /exec/{id}/start with Detach: the process runs on; the daemon answers 200 or
    /// 204 depending on its version.
    public func startExecDetached(_ execID: String, timeout: Duration? = nil) async throws {
        let body = try JSONEncoder().encode(ExecStartBody(detach: true, tty: false))
        _ = try await request(
            "POST", "/exec/\(execID)/start", body: .data(body, contentType: "application/json"), timeout: timeout)
    }

    /// POST /exec/{id}/start attached: the daemon hijacks the connection (101 UPGRADED, or
    /// 200 on old daemons) and streams the process's output until it ends.
    ///
    /// - Parameters:
    ///   - execID: The exec instance.
    ///   - tty: Whether the exec has a TTY (then its output is one raw stream).
    ///   - stdin: Bytes to send to the process's stdin; without a TTY the sending half is
    ///     then closed so the process sees end-of-file.
    ///   - limit: Bytes kept per stream; the rest is counted and dropped.
    ///   - timeout: The deadline for the whole stream.
    /// - Returns: What the process wrote.
    /// - Throws: `EngineError` for error answers, a broken stream, or the deadline.
    public func startExecAttached(
        _ execID: String, tty: Bool, stdin: Data? = nil, limit: Int = CollectedOutput.defaultLimit,
        timeout: Duration? = nil
    ) async throws -> CollectedOutput {
        let version = try await negotiate(timeout: timeout)
        let body = try JSONEncoder().encode(ExecStartBody(detach: false, tty: tty))
        var request = makeRequest(
            "POST", "/exec/\(execID)/start", versioned: version, body: .data(body, contentType: "application/json"),
            timeout: timeout)
        request.headers = [("Connection", "Upgrade"), ("Upgrade", "tcp")]
        let transport = self.transport
        let finalRequest = request
        let cancellation = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await BlockingExecutor.shared.run { [self] in
                let connection = try HijackedConnection(
                    transport: transport, request: finalRequest, cancellation: cancellation)
                guard connection.status == 101 || connection.status == 200 else {
                    let response = HTTPResponse(
                        status: connection.status, headers: connection.headers, body: try connection.readPlainBody(),
                        method: finalRequest.method, path: finalRequest.path)
                    try check(response, request: finalRequest, version: version)
                    throw EngineError.protocolViolation(
                        method: finalRequest.method, path: finalRequest.path,
                        detail: "the daemon answered HTTP \(connection.status) instead of upgrading the connection")
                }
                if let stdin {
                    try connection.send(stdin)
                    if !tty { connection.closeWrite() }
                }
                // The daemon ends the stream by closing the connection: a close inside a frame
                // means bytes were lost, which `finish` reports.
                let reader = StreamReader(tty: tty, limit: limit, method: finalRequest.method, path: finalRequest.path)
                while let chunk = try connection.receive() { try reader.feed(chunk) }
                return try reader.finish()
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// GET /exec/{id}/json.
    public func inspectExec(_ execID: String, timeout: Duration? = nil) async throws -> ExecInspect {
        try decode(await request("GET", "/exec/\(execID)/json", timeout: timeout))
    }

    /// Waits until an exec's process has ended and returns its exit code.
    ///
    /// Polls `Running` rather than `ExitCode`, because before API 1.22 ExitCode reads 0
    /// while the process still runs. Polling backs off from 1 ms to 100 ms; the deadline
    /// covers all polls together.
    public func waitExec(_ execID: String, timeout: Duration? = nil) async throws -> Int {
        let deadline = CallDeadline(timeout ?? defaultTimeout)
        let path = "/exec/\(execID)/json"
        var pause = Duration.milliseconds(1)
        while true {
            let state = try await inspectExec(execID, timeout: deadline.remaining("GET", path))
            if !state.running { return state.exitCode ?? -1 }
            guard try deadline.remaining("GET", path) > pause else {
                throw EngineError.timeout(method: "GET", path: path, seconds: deadline.limit.seconds)
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(100))
        }
    }

    /// Runs a command in a running container and collects its output and exit code, like
    /// `docker exec`.
    ///
    /// - Parameters:
    ///   - containerID: The container.
    ///   - command: The command and its arguments.
    ///   - tty: Run it with a terminal (stdin attached too, so programs that need an
    ///     interactive terminal, such as `docker run -ti`, get one).
    ///   - env: Extra environment, "KEY=value".
    ///   - limit: Bytes of output kept per stream.
    ///   - timeout: The deadline for the whole command.
    ///   - callTimeout: A shorter deadline for the calls around the output stream (creating
    ///     the exec, reading its exit code), so a hung daemon is caught early; nil: `timeout`.
    /// - Returns: Exit code and output.
    public func exec(
        in containerID: String, _ command: [String], tty: Bool = false, env: [String]? = nil,
        limit: Int = CollectedOutput.defaultLimit, timeout: Duration? = nil, callTimeout: Duration? = nil
    ) async throws -> ExecResult {
        let deadline = CallDeadline(timeout ?? defaultTimeout)
        let short = { (left: Duration) in callTimeout.map { min($0, left) } ?? left }
        let config = ExecConfig(cmd: command, tty: tty, attach: true, attachStdin: tty, env: env)
        let execID = try await createExec(
            in: containerID, config, timeout: short(deadline.remaining("POST", "/containers/\(containerID)/exec")))
        let output = try await startExecAttached(
            execID, tty: tty, limit: limit, timeout: deadline.remaining("POST", "/exec/\(execID)/start"))
        let exitCode = try await waitExec(execID, timeout: short(deadline.remaining("GET", "/exec/\(execID)/json")))
        return ExecResult(exitCode: exitCode, output: output, execID: execID)
    }
}

private struct ExecStartBody: Encodable {
    var detach: Bool
    var tty: Bool

    enum CodingKeys: String, CodingKey {
        case detach = "Detach"
        case tty = "Tty"
    }
}
