import Foundation

/// Exec instances: create, start (detached, or attached through a hijacked connection), inspect.
enum ExecRoutes {
    static let routes: [Route] = [
        Route("POST", "/containers/{id}/exec", create),
        Route("POST", "/exec/{id}/start", start),
        Route("GET", "/exec/{id}/json", inspect),
        Route("POST", "/exec/{id}/resize", resize),
    ]

    static let rawStream = "application/vnd.docker.raw-stream"
    static let multiplexedStream = "application/vnd.docker.multiplexed-stream"

    static func create(_ context: RequestContext) throws -> Reply {
        let body = try context.jsonBody()
        let id = try context.state.access { try $0.createExec(container: context.parameter("id"), body: body) }
        return .json(["Id": JSON(id)], status: 201)
    }

    static func resize(_ context: RequestContext) throws -> Reply {
        _ = try context.state.access { try $0.existingExec(context.parameter("id")) }
        return .empty(status: 200)
    }

    /// Runs the exec's program. Detached: answers at once (204 before Docker 1.9, 200 after).
    /// Attached: takes the connection over like the daemon (101 UPGRADED when the client asked
    /// for `Upgrade: tcp`, else a bare 200), writes the output (frames, or raw for a TTY),
    /// stays open while the process "runs", then closes. Stdin from the client is read and dropped.
    static func start(_ context: RequestContext) throws -> Reply {
        let id = context.parameter("id")
        let options = try context.jsonBody()
        let detach = options["Detach"]?.bool ?? false
        // The daemon frames the stream by the start request's Tty, the process by the exec's.
        let rawOutput = options["Tty"]?.bool ?? false
        let exec = try context.state.access { try $0.execToStart(id) }
        let process = context.state.access { $0.program }(exec.argv, exec.tty)
        try context.state.access { try $0.startExec(id, process: process) }
        if detach {
            return .empty(status: context.persona.has(.detachedExecStartAnswers200) ? 200 : 204)
        }

        let copiedHeaders = context.persona.has(.hijackCopiesHeaders) ? context.persona.commonHeaders : []
        if context.request.header("upgrade") != nil {
            let contentType =
                !rawOutput && context.speaks(.multiplexedStreamContentType) ? multiplexedStream : rawStream
            try context.response.beginHijack(
                statusLine: "HTTP/1.1 101 UPGRADED",
                headers: [("Content-Type", contentType), ("Connection", "Upgrade"), ("Upgrade", "tcp")] + copiedHeaders)
        } else {
            try context.response.beginHijack(
                statusLine: "HTTP/1.1 200 OK", headers: [("Content-Type", rawStream)] + copiedHeaders)
        }
        let output = [
            LogRecord(stream: .stdout, data: process.stdout), LogRecord(stream: .stderr, data: process.stderr),
        ]
        try context.response.writeRaw(
            StreamFramer.encode(output, tty: rawOutput) + (rawOutput ? Data() : context.systemErrorFrame))
        let inputOpen = discardInput(
            context, until: Date().addingTimeInterval(process.runningFor.timeInterval), inputOpen: true)
        context.connection.shutdownWriting()
        // Let the client read to the end and hang up before closing, so that stdin it is still
        // sending never turns the close into a connection reset on its side.
        if inputOpen { _ = discardInput(context, until: Date().addingTimeInterval(2), inputOpen: true) }
        return .handled
    }

    /// Reads and drops what the client sends until the deadline, the server stops, or the
    /// client closes its side (which, on a hijacked stream, only means stdin ended).
    /// - Returns: whether the client's side is still open.
    private static func discardInput(_ context: RequestContext, until deadline: Date, inputOpen: Bool) -> Bool {
        var open = inputOpen
        while Date() < deadline, !context.state.isStopping {
            if open {
                if context.clientHasGone(waitingUpTo: 20) { open = false }
            } else {
                context.state.pause(min(0.02, max(0, deadline.timeIntervalSinceNow)))
            }
        }
        return open
    }

    static func inspect(_ context: RequestContext) throws -> Reply {
        let id = context.parameter("id")
        let exec = try context.state.access { try $0.existingExec(id) }
        let running = exec.isRunning(at: Date())
        let exitCode: JSON
        if let run = exec.run, !running {
            exitCode = JSON(run.exitCode)
        } else {
            exitCode = context.speaks(.execExitCodeNullWhileRunning) ? nil : 0
        }
        return .json([
            "CanRemove": false,
            "ContainerID": JSON(exec.containerID),
            "DetachKeys": "",
            "ExitCode": exitCode,
            "ID": JSON(exec.id),
            "OpenStderr": JSON(exec.attachStderr),
            "OpenStdin": JSON(exec.attachStdin),
            "OpenStdout": JSON(exec.attachStdout),
            "ProcessConfig": [
                "arguments": JSON(Array(exec.argv.dropFirst())),
                "entrypoint": JSON(exec.argv.first ?? ""),
                "privileged": JSON(exec.privileged),
                "tty": JSON(exec.tty),
                "user": JSON(exec.user),
            ],
            "Running": JSON(running),
            "Pid": JSON(running ? exec.run!.pid : 0),
        ])
    }
}
