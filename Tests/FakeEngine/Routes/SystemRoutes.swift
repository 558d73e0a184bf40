import Foundation

/// `/_ping`, `/version`, `/info` and `/events`.
enum SystemRoutes {
    static let routes: [Route] = [
        Route("GET", "/_ping", ping),
        Route("HEAD", "/_ping", since: .headPing, ping),
        Route("GET", "/version", version),
        Route("GET", "/info", info),
        Route("GET", "/events", events),
    ]

    static func ping(_ context: RequestContext) throws -> Reply {
        let persona = context.persona
        var headers = [("Content-Type", "text/plain; charset=utf-8")]
        if persona.has(.headPing) {
            headers += [("Cache-Control", "no-cache, no-store, must-revalidate"), ("Pragma", "no-cache")]
        }
        if persona.has(.builderVersionHeader) {
            headers.append(("Builder-Version", persona.has(.multiplexedStreamContentType) ? "2" : "1"))
        }
        if persona.has(.swarmHeader) { headers.append(("Swarm", "inactive")) }
        return .bytes(context.request.method == "HEAD" ? Data() : Data("OK".utf8), headers: headers)
    }

    static func version(_ context: RequestContext) throws -> Reply {
        let persona = context.persona
        let buildTime = "2024-07-23T10:00:00.000000000+00:00"
        var body: JSON = [:]
        if persona.has(.versionComponents) {
            body =
                body
                .setting("Platform", ["Name": "Docker Engine - Community"])
                .setting(
                    "Components",
                    [
                        [
                            "Name": "Engine",
                            "Version": JSON(persona.version),
                            "Details": [
                                "ApiVersion": JSON(persona.apiVersion), "Arch": "amd64", "BuildTime": JSON(buildTime),
                                "Experimental": "false", "GitCommit": JSON(persona.gitCommit),
                                "GoVersion": JSON(persona.goVersion), "KernelVersion": JSON(persona.kernelVersion),
                                "MinAPIVersion": JSON(persona.minAPIVersion), "Os": "linux",
                            ],
                        ]
                    ])
        }
        body =
            body
            .setting("Version", JSON(persona.version))
            .setting("ApiVersion", JSON(persona.apiVersion))
        if persona.has(.versionMinAPIVersion) { body = body.setting("MinAPIVersion", JSON(persona.minAPIVersion)) }
        body =
            body
            .setting("GitCommit", JSON(persona.gitCommit))
            .setting("GoVersion", JSON(persona.goVersion))
            .setting("Os", "linux")
            .setting("Arch", "amd64")
            .setting("KernelVersion", JSON(persona.kernelVersion))
        if persona.has(.versionBuildTime) { body = body.setting("BuildTime", JSON(buildTime)) }
        return .json(body)
    }

    static func info(_ context: RequestContext) throws -> Reply {
        let persona = context.persona
        let counts = context.state.access { model in
            (
                all: model.containers.count,
                running: model.containers.filter(\.isRunning).count,
                created: model.containers.filter { $0.lastRun == nil }.count,
                images: model.images.count
            )
        }
        let driverStatus: JSON =
            persona.storageDriver == "devicemapper"
            ? [
                ["Pool Name", "docker-253:0-1234567-pool"], ["Data file", "/dev/loop0"],
                ["Metadata file", "/dev/loop1"],
                ["Udev Sync Supported", "true"], ["Library Version", "1.02.93-RHEL7 (2015-01-28)"],
            ]
            : [["Backing Filesystem", "extfs"], ["Supports d_type", "true"], ["Native Overlay Diff", "true"]]
        var body: JSON = [
            "ID": "FAKE:ENGI:NE00:0000:0000:0000:0000:0000:0000:0000:0000:0000",
            "Containers": JSON(counts.all),
        ]
        if persona.has(.infoContainerStates) {
            body =
                body
                .setting("ContainersRunning", JSON(counts.running))
                .setting("ContainersPaused", 0)
                .setting("ContainersStopped", JSON(counts.all - counts.running))
        }
        body =
            body
            .setting("Images", JSON(counts.images))
            .setting("Driver", JSON(persona.storageDriver))
            .setting("DriverStatus", driverStatus)
            .setting("MemoryLimit", true)
            .setting("SwapLimit", false)
            .setting("CpuCfsPeriod", true)
            .setting("CpuCfsQuota", true)
            .setting("IPv4Forwarding", true)
            .setting("Debug", false)
            .setting("NFd", 24)
            .setting("NGoroutines", 42)
            .setting("SystemTime", JSON(DockerTime.rfc3339Nano(Date())))
            .setting("LoggingDriver", "json-file")
        if persona.has(.infoCgroupDriver) { body = body.setting("CgroupDriver", JSON(persona.cgroupDriver)) }
        if persona.has(.infoCgroupVersion) { body = body.setting("CgroupVersion", JSON(persona.cgroupVersion)) }
        if !persona.has(.infoSecurityOptions) { body = body.setting("ExecutionDriver", "native-0.2") }
        body =
            body
            .setting("KernelVersion", JSON(persona.kernelVersion))
            .setting("OperatingSystem", JSON(persona.operatingSystem))
            .setting("OSType", "linux")
            .setting("Architecture", "x86_64")
            .setting("IndexServerAddress", "https://index.docker.io/v1/")
            .setting("NCPU", 2)
            .setting("MemTotal", 25_769_803_776)
            .setting("DockerRootDir", "/var/lib/docker")
            .setting("Name", "fake-engine")
            .setting("Labels", [])
            .setting("ExperimentalBuild", false)
        if persona.has(.infoServerVersion) { body = body.setting("ServerVersion", JSON(persona.version)) }
        if persona.has(.infoSecurityOptions) { body = body.setting("SecurityOptions", JSON(persona.securityOptions)) }
        return .json(body)
    }

    /// Streams recorded container events as JSON lines: those since `since`, then live ones,
    /// until `until` passes (or the client or server goes away).
    static func events(_ context: RequestContext) throws -> Reply {
        let since = try context.timestamp("since")
        let until = try context.timestamp("until")
        let filters = try context.filters()
        var next = context.state.access { model in
            since.map { since in model.events.first { $0.time >= since }?.sequence ?? model.events.count }
                ?? model.events.count
        }
        try context.response.beginStream(headers: [("Content-Type", "application/json")])
        while true {
            let clientHasGone = { context.clientHasGone() }
            let outcome = context.state.wait(until: until, abandon: clientHasGone) { model -> [EngineEvent]? in
                let fresh = model.events[min(next, model.events.count)...]
                return fresh.isEmpty ? nil : Array(fresh)
            }
            switch outcome {
            case .value(let fresh):
                next = fresh.last!.sequence + 1
                for event in fresh where matches(event, filters: filters, until: until) {
                    try context.response.writeChunk(eventJSON(event, context: context).line)
                }
            case .timedOut:
                try context.response.endStream()
                return .handled
            case .abandoned:
                throw ConnectionEnd.closed
            }
        }
    }

    private static func matches(_ event: EngineEvent, filters: [String: [String]], until: Date?) -> Bool {
        if let until, event.time > until { return false }
        if let types = filters["type"], !types.contains("container") { return false }
        if let actions = filters["event"], !actions.contains(event.action) { return false }
        if let containers = filters["container"],
            !containers.contains(where: { event.containerID.hasPrefix($0) || event.attributes["name"] == $0 })
        {
            return false
        }
        if let images = filters["image"], !images.contains(event.image) { return false }
        return EngineModel.labels(event.attributes, match: filters["label"] ?? [])
    }

    private static func eventJSON(_ event: EngineEvent, context: RequestContext) -> JSON {
        var body: JSON = ["status": JSON(event.action), "id": JSON(event.containerID), "from": JSON(event.image)]
        if context.speaks(.eventActors) {
            body =
                body
                .setting("Type", "container")
                .setting("Action", JSON(event.action))
                .setting("Actor", ["ID": JSON(event.containerID), "Attributes": JSON(event.attributes)])
                .setting("scope", "local")
        }
        body = body.setting("time", JSON(DockerTime.unixSeconds(event.time)))
        if context.speaks(.eventActors) { body = body.setting("timeNano", JSON(DockerTime.unixNanos(event.time))) }
        return body
    }
}
