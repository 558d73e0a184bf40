public import Foundation
import Synchronization

extension EngineClient {
    /// POST /containers/create.
    ///
    /// - Parameters:
    ///   - config: Image, command, labels and host configuration.
    ///   - name: A container name, or nil for a generated one.
    /// - Returns: The new container's id and the daemon's warnings.
    /// - Throws: `EngineError` (404 when the image is missing).
    ///
    /// A daemon that cannot decode a HostConfig at create gets it with start instead, as clients
    /// of API versions before 1.24 could send it: Docker 1.7 built with Go 1.10 or later fails
    /// every create that has one ("json: cannot set embedded pointer to unexported struct:
    /// runconfig.hostConfigWrapper"). The client learns that from the first refusal.
    public func createContainer(_ config: ContainerConfig, name: String? = nil, timeout: Duration? = nil) async throws
        -> ContainerCreated
    {
        if let host = config.hostConfig, startHostConfigs.engineRefusesAtCreate {
            return try await createWithHostConfigAtStart(config, host: host, name: name, timeout: timeout)
        }
        let body = try JSONEncoder().encode(config)
        do {
            return try decode(
                await request(
                    "POST", "/containers/create", query: [("name", name)],
                    body: .data(body, contentType: "application/json"), timeout: timeout))
        } catch let error as EngineError where Self.cannotDecodeHostConfigAtCreate(error) {
            guard let host = config.hostConfig else { throw error }
            startHostConfigs.engineRefusesAtCreate = true
            return try await createWithHostConfigAtStart(config, host: host, name: name, timeout: timeout)
        }
    }

    private func createWithHostConfigAtStart(
        _ config: ContainerConfig, host: HostConfig, name: String?, timeout: Duration?
    ) async throws -> ContainerCreated {
        var bare = config
        bare.hostConfig = nil
        let body = try JSONEncoder().encode(bare)
        let created: ContainerCreated = try decode(
            await request(
                "POST", "/containers/create", query: [("name", name)],
                body: .data(body, contentType: "application/json"), timeout: timeout))
        startHostConfigs.keep(host, for: created.id)
        return created
    }

    /// Whether a create failed because the daemon cannot decode its HostConfig (see `createContainer`).
    static func cannotDecodeHostConfigAtCreate(_ error: EngineError) -> Bool {
        (error.daemonMessage ?? "").contains("cannot set embedded pointer to unexported struct")
    }

    /// POST /containers/{id}/start, with no body: host configuration travels with create
    /// on every API version dindlab speaks, and newer daemons reject a start body. The one
    /// exception is a daemon that cannot decode it at create (see `createContainer`).
    public func startContainer(_ id: String, timeout: Duration? = nil) async throws {
        if let host = startHostConfigs.take(for: id) {
            let body = try JSONEncoder().encode(host)
            _ = try await request(
                "POST", "/containers/\(id)/start", body: .data(body, contentType: "application/json"), timeout: timeout)
            return
        }
        _ = try await request("POST", "/containers/\(id)/start", timeout: timeout)
    }

    /// POST /commit: a new image of a container's file system, with `config` (labels, command)
    /// as its configuration. Every engine era has it; labels need API 1.18 (Docker 1.6).
    ///
    /// - Returns: The new image's id.
    public func commitContainer(
        _ id: String, repository: String, tag: String, config: ContainerConfig, timeout: Duration? = nil
    ) async throws -> String {
        struct Committed: Decodable {
            var id: String
            enum CodingKeys: String, CodingKey { case id = "Id" }
        }
        let body = try JSONEncoder().encode(config)
        let committed: Committed = try decode(
            await request(
                "POST", "/commit", query: [("container", id), ("repo", repository), ("tag", tag)],
                body: .data(body, contentType: "application/json"), timeout: timeout))
        return committed.id
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
            var statusCode: Int
            enum CodingKeys: String, CodingKey { case statusCode = "StatusCode" }
        }
        let response: WaitResponse = try decode(await request("POST", "/containers/\(id)/wait", timeout: timeout))
        return response.statusCode
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
    public func removeContainer(_ id: String, force: Bool = true, volumes: Bool = true, timeout: Duration? = nil)
        async throws
    {
        _ = try await request(
            "DELETE", "/containers/\(id)", query: [("force", force ? "1" : "0"), ("v", volumes ? "1" : "0")],
            timeout: timeout)
    }

    /// GET /containers/json, filtered by labels.
    ///
    /// - Parameters:
    ///   - all: Include stopped containers.
    ///   - labels: "key" or "key=value" filters, all of which must match.
    public func listContainers(all: Bool = true, labels: [String] = [], timeout: Duration? = nil) async throws
        -> [ContainerSummary]
    {
        let filters = labels.isEmpty ? nil : jsonText(["label": labels])
        return try decode(
            await request(
                "GET", "/containers/json", query: [("all", all ? "1" : "0"), ("filters", filters)], timeout: timeout))
    }

    /// GET /containers/{id}/logs: stdout and stderr so far, demultiplexed.
    ///
    /// - Parameters:
    ///   - tty: Whether the container has a TTY; its log is then one raw stream.
    ///   - limit: Bytes kept per stream; the rest is counted and dropped.
    ///   - merged: Put stderr into stdout in the order the daemon sent them, as `docker logs
    ///     ID 2>&1` prints them (stderr then stays empty).
    public func containerLogs(
        _ id: String, tty: Bool, tail: Int? = nil, limit: Int = CollectedOutput.defaultLimit, merged: Bool = false,
        timeout: Duration? = nil
    ) async throws -> CollectedOutput {
        let reader = StreamReader(tty: tty, limit: limit, method: "GET", path: "/containers/\(id)/logs", merged: merged)
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
            return try await request(
                "POST", "/containers/\(id)/copy", body: .data(body, contentType: "application/json"), timeout: timeout
            ).body
        }
        return try await request("GET", "/containers/\(id)/archive", query: [("path", path)], timeout: timeout).body
    }

    /// PUT /containers/{id}/archive: extracts a tar into a folder of the container (API 1.20+).
    ///
    /// - Throws: `EngineError.apiVersionUnsupported` on API 1.19, which cannot copy into containers.
    public func putArchive(_ id: String, path: String, tar: Data, timeout: Duration? = nil) async throws {
        let version = try await negotiate(timeout: timeout)
        guard version >= APIVersion(1, 20) else {
            throw EngineError.apiVersionUnsupported(
                daemonVersion: version.description,
                reason: "copying files into a container needs API 1.20 (Docker 1.8) or newer")
        }
        _ = try await request(
            "PUT", "/containers/\(id)/archive", query: [("path", path)],
            body: .data(tar, contentType: "application/x-tar"), timeout: timeout)
    }
}

/// Host configurations kept for start, by container id, for a daemon that cannot decode them
/// at create (see `EngineClient.createContainer`).
final class StartHostConfigs: Sendable {
    private struct State {
        var refuses = false
        var pending: [String: HostConfig] = [:]
    }

    private let state = Mutex(State())

    /// The engine refused a HostConfig at create once: later creates send it with start at once.
    var engineRefusesAtCreate: Bool {
        get { state.withLock { $0.refuses } }
        set { state.withLock { $0.refuses = newValue } }
    }

    func keep(_ host: HostConfig, for id: String) {
        state.withLock { $0.pending[id] = host }
    }

    func take(for id: String) -> HostConfig? {
        state.withLock { $0.pending.removeValue(forKey: id) }
    }
}
