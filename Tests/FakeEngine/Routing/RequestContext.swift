import Foundation

/// One request on its way through a handler: what was asked, of which daemon, at which API
/// version, and where to answer.
final class RequestContext {
    let request: HTTPRequest
    let body: RequestBody
    let response: ResponseWriter
    let connection: SocketConnection
    let state: EngineState
    let persona: DaemonPersona
    /// The version from a `/vX.Y/` prefix; nil for unversioned paths.
    let requestedVersion: APIVersion?
    let parameters: [String: String]
    let query: QueryItems
    /// The message of a `Fault.progressError` on this request.
    let progressError: String?
    /// The message of a `Fault.systemError` on this request.
    let systemError: String?

    init(
        request: HTTPRequest, body: RequestBody, response: ResponseWriter, connection: SocketConnection,
        state: EngineState, persona: DaemonPersona, requestedVersion: APIVersion?, parameters: [String: String],
        progressError: String?, systemError: String?
    ) {
        self.request = request
        self.body = body
        self.response = response
        self.connection = connection
        self.state = state
        self.persona = persona
        self.requestedVersion = requestedVersion
        self.parameters = parameters
        self.query = request.query
        self.progressError = progressError
        self.systemError = systemError
    }

    /// The API version the request is served at: the requested one, else the daemon's own.
    var apiVersion: APIVersion { requestedVersion ?? persona.api }

    /// Whether behaviour that depends on the request's API version applies.
    func speaks(_ feature: DaemonFeature) -> Bool { persona.has(feature) && apiVersion >= feature.since }

    func parameter(_ name: String) -> String { parameters[name] ?? "" }

    /// The body as JSON; an empty body is an empty object.
    /// - Throws: `APIError` 400 when the body is not JSON, with the parser's complaint.
    func jsonBody() throws -> JSON {
        let data = try body.readAll()
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { return [:] }
        do {
            return try JSON.parse(data)
        } catch {
            throw APIError.badRequest("invalid JSON in the request body of \(request.method) \(request.path): \(error)")
        }
    }

    /// Whether the client hung up; waits up to `milliseconds` to find out.
    func clientHasGone(waitingUpTo milliseconds: Int32 = 0) -> Bool {
        connection.peerHasClosed(waitingUpTo: milliseconds)
    }

    /// The `filters` parameter decoded: `{"label":["a=b"]}` or `{"label":{"a=b":true}}`.
    func filters() throws -> [String: [String]] {
        guard let text = query["filters"], !text.isEmpty else { return [:] }
        guard let parsed = try? JSON.parse(Data(text.utf8)), let fields = parsed.fields else {
            throw APIError.badRequest("invalid filter '\(text)'")
        }
        var filters: [String: [String]] = [:]
        for field in fields {
            if let values = field.value.stringArray {
                filters[field.key] = values
            } else if let map = field.value.fields {
                filters[field.key] = map.filter { $0.value.bool ?? true }.map(\.key)
            }
        }
        return filters
    }

    /// A time parameter (`since`, `until`): seconds since the epoch, possibly with a fraction.
    /// - Returns: nil when absent or empty.
    /// - Throws: `APIError` 400 when it is not a number.
    func timestamp(_ name: String) throws -> Date? {
        guard let text = query[name], !text.isEmpty else { return nil }
        guard let date = DockerTime.parseTimestamp(text) else {
            throw APIError.badRequest("invalid value for \(name): \(text)")
        }
        return date
    }

    /// Writes a JSON message stream (`application/json`, chunked): one line per message,
    /// ending with "\r\n" as the daemon's stream formatter does.
    func beginJSONMessageStream() throws {
        try response.beginStream(headers: [("Content-Type", "application/json")])
    }

    func writeJSONMessage(_ message: JSON) throws {
        try response.writeChunk(Data((message.text + "\r\n").utf8))
    }

    /// The type 3 frame of a `Fault.systemError`, or nothing: appended to multiplexed output.
    var systemErrorFrame: Data {
        systemError.map { StreamFramer.frame(Data($0.utf8), on: .systemError) } ?? Data()
    }

    /// The line a daemon writes when a streamed operation fails halfway.
    func writeJSONMessageError(_ message: String) throws {
        try writeJSONMessage(["errorDetail": ["message": JSON(message)], "error": JSON(message)])
    }
}
