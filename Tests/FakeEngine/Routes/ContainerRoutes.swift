import Foundation

/// Container lifecycle: create, start, inspect, list, wait, kill, stop, remove, logs, top.
/// A started container runs the program on its command: it is Running for the scripted
/// `runningFor`, then exits with the scripted code; its output is in its logs.
enum ContainerRoutes {
    static let routes: [Route] = [
        Route("POST", "/containers/create", create),
        Route("GET", "/containers/json", list),
        Route("GET", "/containers/{id}/json", inspect),
        Route("POST", "/containers/{id}/start", start),
        Route("POST", "/containers/{id}/stop", stop),
        Route("POST", "/containers/{id}/wait", wait),
        Route("POST", "/containers/{id}/kill", kill),
        Route("DELETE", "/containers/{id}", remove),
        Route("GET", "/containers/{id}/logs", logs),
        Route("GET", "/containers/{id}/top", top),
        Route("POST", "/commit", commit),
    ]

    static func commit(_ context: RequestContext) throws -> Reply {
        let body = try context.jsonBody()
        guard let container = context.query["container"], !container.isEmpty else {
            throw APIError.badRequest("Missing container parameter")
        }
        let id = try context.state.access {
            try $0.commitContainer(
                container, repository: context.query["repo"].flatMap { $0.isEmpty ? nil : $0 },
                tag: context.query["tag"], config: body)
        }
        return .json(["Id": JSON(id)], status: 201)
    }

    static func create(_ context: RequestContext) throws -> Reply {
        let body = try context.jsonBody()
        let name = context.query["name"]
        let id = try context.state.access { try $0.createContainer(name: name, body: body) }
        return .json(["Id": JSON(id), "Warnings": nil], status: 201)
    }

    static func start(_ context: RequestContext) throws -> Reply {
        let reference = context.parameter("id")
        // Clients of API < 1.24 could send the HostConfig with start instead of create.
        let body = try context.jsonBody()
        guard let (id, argv, tty) = try context.state.access({ try $0.containerToStart(reference) }) else {
            return .empty(status: 304)
        }
        let program = context.state.access { $0.program }
        let process = program(argv, tty)
        try context.state.access {
            try $0.startContainer(id: id, process: process, hostConfig: body.fields == nil ? nil : body)
        }
        return .empty(status: 204)
    }

    static func stop(_ context: RequestContext) throws -> Reply {
        let stopped = try context.state.access { try $0.stopContainer(context.parameter("id")) }
        return .empty(status: stopped ? 204 : 304)
    }

    static func kill(_ context: RequestContext) throws -> Reply {
        let signal = context.query["signal"].flatMap { $0.isEmpty ? nil : $0 }
        try context.state.access { try $0.killContainer(context.parameter("id"), signal: signal) }
        return .empty(status: 204)
    }

    static func remove(_ context: RequestContext) throws -> Reply {
        let force = context.query.flag("force")
        try context.state.access { try $0.removeContainer(context.parameter("id"), force: force) }
        return .empty(status: 204)
    }

    static func inspect(_ context: RequestContext) throws -> Reply {
        let reference = context.parameter("id")
        let (container, execIDs) = try context.state.access { model in
            let container = model.containers[try model.existingContainerIndex(reference)]
            let execIDs = model.execs.values.filter { $0.containerID == container.id }.map(\.id).sorted()
            return (container, execIDs)
        }
        return .json(inspectJSON(container, execIDs: execIDs, context: context))
    }

    static func list(_ context: RequestContext) throws -> Reply {
        let filters = try context.filters()
        let all = context.query.flag("all")
        let containers = context.state.access { $0.listContainers(all: all, filters: filters) }
        return .json(.array(containers.map { summaryJSON($0, context: context) }))
    }

    /// Blocks until the container stops (or, with `condition=next-exit`, stops again; with
    /// `condition=removed`, is removed), then answers its exit code.
    static func wait(_ context: RequestContext) throws -> Reply {
        let reference = context.parameter("id")
        let condition = context.query["condition"].flatMap { $0.isEmpty ? nil : $0 } ?? "not-running"
        guard ["not-running", "next-exit", "removed"].contains(condition) else {
            throw APIError.badRequest("invalid condition: \"\(condition)\"")
        }
        let (id, exitsSoFar) = try context.state.access { model in
            let container = model.containers[try model.existingContainerIndex(reference)]
            return (container.id, container.exitCount)
        }
        let streamsHead = context.speaks(.waitStreamsHead)
        if streamsHead { try context.response.beginStream(headers: [("Content-Type", "application/json")]) }
        var lastExitCode = 0
        let clientHasGone = { context.clientHasGone() }
        let outcome = context.state.wait(abandon: clientHasGone) { model -> Int? in
            guard let index = model.containerIndex(id) else { return condition == "removed" ? lastExitCode : nil }
            let container = model.containers[index]
            lastExitCode = container.lastRun?.exitCode ?? 0
            switch condition {
            case "next-exit": return container.exitCount > exitsSoFar ? lastExitCode : nil
            case "removed": return nil
            default: return container.isRunning ? nil : lastExitCode
            }
        }
        guard case .value(let exitCode) = outcome else { throw ConnectionEnd.closed }
        var body: JSON = ["StatusCode": JSON(exitCode)]
        if streamsHead {
            body = ["Error": nil, "StatusCode": JSON(exitCode)]
            try context.response.writeChunk(body.line)
            try context.response.endStream()
            return .handled
        }
        return .json(body)
    }

    /// The container's output: multiplexed frames, or raw bytes for a TTY container;
    /// with `follow`, the stream stays open until the container stops.
    static func logs(_ context: RequestContext) throws -> Reply {
        let reference = context.parameter("id")
        let wantStdout = context.query.flag("stdout")
        let wantStderr = context.query.flag("stderr")
        guard wantStdout || wantStderr else {
            throw APIError.badRequest("Bad parameters: you must choose at least one stream")
        }
        let follow = context.query.flag("follow")
        let (id, tty) = try context.state.access { model in
            let container = model.containers[try model.existingContainerIndex(reference)]
            return (container.id, container.tty)
        }
        let contentType =
            tty || !context.speaks(.multiplexedStreamContentType)
            ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream"
        try context.response.beginStream(headers: [("Content-Type", contentType)])
        var written = 0
        while true {
            let clientHasGone = { context.clientHasGone() }
            let outcome = context.state.wait(abandon: clientHasGone) {
                model -> (records: [LogRecord], running: Bool)? in
                guard let index = model.containerIndex(id) else { return ([], false) }
                let container = model.containers[index]
                let fresh = Array(container.logs.dropFirst(written))
                // Without follow, answer at once; with it, wake on new output or on exit.
                if !follow || !fresh.isEmpty || !container.isRunning { return (fresh, container.isRunning) }
                return nil
            }
            guard case .value(let (records, running)) = outcome else { throw ConnectionEnd.closed }
            written += records.count
            let wanted = records.filter { ($0.stream == .stdout && wantStdout) || ($0.stream == .stderr && wantStderr) }
            try context.response.writeChunk(StreamFramer.encode(wanted, tty: tty))
            if !follow || !running { break }
        }
        if !tty { try context.response.writeChunk(context.systemErrorFrame) }
        try context.response.endStream()
        return .handled
    }

    static func top(_ context: RequestContext) throws -> Reply {
        let reference = context.parameter("id")
        let container = try context.state.access { model in
            model.containers[try model.existingContainerIndex(reference)]
        }
        guard container.isRunning, let run = container.lastRun else {
            throw APIError.conflict("Container \(container.id) is not running")
        }
        return .json([
            "Processes": [
                [
                    "root", JSON(String(run.pid)), "1", "0", "10:00", "?", "00:00:00",
                    JSON(container.argv.joined(separator: " ")),
                ]
            ],
            "Titles": ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"],
        ])
    }

    // MARK: Rendering

    static func inspectJSON(_ container: ContainerRecord, execIDs: [String], context: RequestContext) -> JSON {
        let run = container.lastRun
        var state: JSON = [:]
        if context.speaks(.containerStateStatus) { state = state.setting("Status", JSON(container.status)) }
        state =
            state
            .setting("Running", JSON(container.isRunning))
            .setting("Paused", false)
            .setting("Restarting", false)
            .setting("OOMKilled", false)
            .setting("Dead", false)
            .setting("Pid", JSON(container.isRunning ? run!.pid : 0))
            .setting("ExitCode", JSON(container.isRunning ? 0 : run?.exitCode ?? 0))
            .setting("Error", "")
            .setting("StartedAt", JSON(run.map { DockerTime.rfc3339Nano($0.startedAt) } ?? DockerTime.zero))
            .setting("FinishedAt", JSON(run?.finishedAt.map(DockerTime.rfc3339Nano) ?? DockerTime.zero))
        return [
            "Id": JSON(container.id),
            "Created": JSON(DockerTime.rfc3339Nano(container.created)),
            "Path": JSON(container.argv.first ?? ""),
            "Args": JSON(Array(container.argv.dropFirst())),
            "State": state,
            "Image": JSON(container.imageID),
            "ResolvConfPath": JSON("/var/lib/docker/containers/\(container.id)/resolv.conf"),
            "HostnamePath": JSON("/var/lib/docker/containers/\(container.id)/hostname"),
            "LogPath": JSON("/var/lib/docker/containers/\(container.id)/\(container.id)-json.log"),
            "Name": JSON("/" + container.name),
            "RestartCount": 0,
            "Driver": JSON(context.persona.storageDriver),
            "MountLabel": "",
            "ProcessLabel": "",
            "AppArmorProfile": "",
            "ExecIDs": execIDs.isEmpty ? nil : JSON(execIDs),
            "HostConfig": container.hostConfig,
            "Mounts": [],
            "Config": container.config,
            "NetworkSettings": ["Bridge": "", "SandboxID": "", "Ports": [:], "Networks": [:]],
        ]
    }

    static func summaryJSON(_ container: ContainerRecord, context: RequestContext) -> JSON {
        var body: JSON = [
            "Id": JSON(container.id),
            "Names": JSON(["/" + container.name]),
            "Image": JSON(container.imageReference),
            "ImageID": JSON(container.imageID),
            "Command": JSON(container.argv.joined(separator: " ")),
            "Created": JSON(DockerTime.unixSeconds(container.created)),
            "Ports": [],
            "Labels": JSON(container.labels),
        ]
        if context.speaks(.containerListState) { body = body.setting("State", JSON(container.status)) }
        return body.setting("Status", JSON(statusText(container)))
    }

    /// "Up 3 seconds", "Exited (0) 2 seconds ago", "Created", as `docker ps` shows.
    private static func statusText(_ container: ContainerRecord) -> String {
        guard let run = container.lastRun else { return "Created" }
        if let finished = run.finishedAt {
            return "Exited (\(run.exitCode)) \(duration(since: finished)) ago"
        }
        return "Up \(duration(since: run.startedAt))"
    }

    private static func duration(since date: Date) -> String {
        let seconds = Int(Date().timeIntervalSince(date))
        switch seconds {
        case ..<1: return "Less than a second"
        case 1: return "1 second"
        case ..<60: return "\(seconds) seconds"
        case ..<120: return "About a minute"
        default: return "\(seconds / 60) minutes"
        }
    }
}
