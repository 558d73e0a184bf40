import Foundation

extension EngineClient {
    /// POST /containers/create.
    ///
    /// - Parameters:
    ///   - config: Image, command, labels and host configuration.
    ///   - name: A container name, or nil for a generated one.
    /// - Returns: The new container's id and the daemon's warnings.
    /// - Throws: `EngineError` (404 when the image is missing).
    public func createContainer(_ config: ContainerConfig, name: String? = nil, timeout: Duration? = nil) async throws -> ContainerCreated {
        let body = try JSONEncoder().encode(config)
        return try decode(await request("POST", "/containers/create", query: [("name", name)], body: .data(body, contentType: "application/json"), timeout: timeout))
    }

    /// POST /containers/{id}/start, with no body: host configuration travels with create
    /// on every API version dindlab speaks, and newer daemons reject a start body.
    public func startContainer(_ id: String, timeout: Duration? = nil) async throws {
        _ = try await request("POST", "/containers/\(id)/start", timeout: timeout)
    }

    /// GET /containers/{id}/json.
    public func inspectContainer(_ id: String, timeout: Duration? = nil) async throws -> ContainerInspect {
        try decode(await request("GET", "/containers/\(id)/json", timeout: timeout))
    }

    /// GET /containers/{id}/json as raw JSON, for artifacts.
    public func inspectContainerJSON(_ id: String, timeout: Duration? = nil) async throws -> Data {
        try await request("GET", "/containers/\(id)/json", timeout: timeout).body
    }

    /// POST /containers/{id}/wait: blocks until the container exits.
    ///
    /// - Returns: The container's exit status.
    public func waitContainer(_ id: String, timeout: Duration? = nil) async throws -> Int {
        struct WaitResponse: Decodable {
            var StatusCode: Int
        }
        let response: WaitResponse = try decode(await request("POST", "/containers/\(id)/wait", timeout: timeout))
        return response.StatusCode
    }

    /// POST /containers/{id}/kill.
    public func killContainer(_ id: String, signal: String = "KILL", timeout: Duration? = nil) async throws {
        _ = try await request("POST", "/containers/\(id)/kill", query: [("signal", signal)], timeout: timeout)
    }

    /// DELETE /containers/{id}.
    ///
    /// - Parameters:
    ///   - force: Kill it first if it runs.
    ///   - volumes: Remove its anonymous volumes too.
    public func removeContainer(_ id: String, force: Bool = true, volumes: Bool = true, timeout: Duration? = nil) async throws {
        _ = try await request("DELETE", "/containers/\(id)", query: [("force", force ? "1" : "0"), ("v", volumes ? "1" : "0")], timeout: timeout)
    }

    /// GET /containers/json, filtered by labels.
    ///
    /// - Parameters:
    ///   - all: Include stopped containers.
    ///   - labels: "key" or "key=value" filters, all of which must match.
    public func listContainers(all: Bool = true, labels: [String] = [], timeout: Duration? = nil) async throws -> [ContainerSummary] {
        let filters = labels.isEmpty ? nil : jsonText(["label": labels])
        return try decode(await request("GET", "/containers/json", query: [("all", all ? "1" : "0"), ("filters", filters)], timeout: timeout))
    }

    /// GET /containers/{id}/logs: stdout and stderr so far, demultiplexed.
    ///
    /// - Parameters:
    ///   - tty: Whether the container has a TTY; its log is then one raw stream.
    ///   - limit: Bytes kept per stream; the rest is counted and dropped.
    public func containerLogs(_ id: String, tty: Bool, tail: Int? = nil, limit: Int = CollectedOutput.defaultLimit, timeout: Duration? = nil) async throws -> CollectedOutput {
        let reader = StreamReader(tty: tty, limit: limit, method: "GET", path: "/containers/\(id)/logs")
        _ = try await streamingRequest(
            "GET", "/containers/\(id)/logs",
            query: [("stdout", "1"), ("stderr", "1"), ("tail", tail.map(String.init) ?? "all")],
            timeout: timeout
        ) { chunk in try reader.feed(chunk) }
        return try reader.finish()
    }

    /// GET /containers/{id}/top.
    public func top(_ id: String, arguments: String? = nil, timeout: Duration? = nil) async throws -> ContainerTop {
        try decode(await request("GET", "/containers/\(id)/top", query: [("ps_args", arguments)], timeout: timeout))
    }

    /// A tar of a path in the container: GET /containers/{id}/archive from API 1.20, the
    /// older POST /containers/{id}/copy on API 1.19.
    public func getArchive(_ id: String, path: String, timeout: Duration? = nil) async throws -> Data {
        let version = try await negotiate(timeout: timeout)
        if version < APIVersion(1, 20) {
            let body = try JSONEncoder().encode(["Resource": path])
            return try await request("POST", "/containers/\(id)/copy", body: .data(body, contentType: "application/json"), timeout: timeout).body
        }
        return try await request("GET", "/containers/\(id)/archive", query: [("path", path)], timeout: timeout).body
    }

    /// PUT /containers/{id}/archive: extracts a tar into a folder of the container (API 1.20+).
    ///
    /// - Throws: `EngineError.apiVersionUnsupported` on API 1.19, which cannot copy into containers.
    public func putArchive(_ id: String, path: String, tar: Data, timeout: Duration? = nil) async throws {
        let version = try await negotiate(timeout: timeout)
        guard version >= APIVersion(1, 20) else {
            throw EngineError.apiVersionUnsupported(daemonVersion: version.description, reason: "copying files into a container needs API 1.20 (Docker 1.8) or newer")
        }
        _ = try await request("PUT", "/containers/\(id)/archive", query: [("path", path)], body: .data(tar, contentType: "application/x-tar"), timeout: timeout)
    }
}
