import Foundation

/// Dispatches a request the way the daemon's router and middleware do: strip an optional
/// `/vX.Y` prefix, find the route (404 "page not found" if none), check the version against
/// the persona's range, run the handler, and format its errors like that daemon would.
enum Router {
    static let routes: [Route] =
        SystemRoutes.routes + ContainerRoutes.routes + ExecRoutes.routes
        + ImageRoutes.routes + ArchiveRoutes.routes

    static func handle(
        request: HTTPRequest, body: RequestBody, response: ResponseWriter,
        connection: SocketConnection, state: EngineState, persona: DaemonPersona, fault: Fault?
    ) throws {
        let (requestedVersion, path) = splitVersion(request.path)
        let errors = ErrorFormatter(
            persona: persona, requestedVersion: requestedVersion, isHeadRequest: request.method == "HEAD")

        if case .status(let status, let message) = fault {
            try errors.send(APIError(status: status, message: message), on: response)
            return
        }
        var found: (Route, [String: String])?
        for route in routes {
            if let since = route.since, !persona.has(since) { continue }
            if let parameters = route.match(method: request.method, path: path) {
                found = (route, parameters)
                break
            }
        }
        guard let (route, parameters) = found else {
            try errors.sendPageNotFound(on: response)
            return
        }
        if let requestedVersion, let versionError = versionError(requestedVersion, persona: persona) {
            try errors.send(versionError, on: response)
            return
        }
        var progressError: String?
        if case .progressError(let message) = fault { progressError = message }
        var systemError: String?
        if case .systemError(let message) = fault { systemError = message }
        let context = RequestContext(
            request: request, body: body, response: response, connection: connection, state: state,
            persona: persona, requestedVersion: requestedVersion, parameters: parameters, progressError: progressError,
            systemError: systemError)
        do {
            switch try route.handler(context) {
            case .json(let value, let status):
                try response.respond(status: status, headers: [("Content-Type", "application/json")], body: value.line)
            case .empty(let status):
                try response.respond(status: status)
            case .bytes(let data, let status, let headers):
                try response.respond(status: status, headers: headers, body: data)
            case .handled:
                break
            }
        } catch let error as APIError {
            // Once a stream has begun, an error can only end it.
            guard !response.headSent else { throw ConnectionEnd.dropped }
            try errors.send(error, on: response)
        }
    }

    /// Splits "/v1.41/containers/json" into (1.41, "/containers/json").
    static func splitVersion(_ path: String) -> (APIVersion?, String) {
        guard path.hasPrefix("/v") else { return (nil, path) }
        let rest = path.dropFirst(2)
        let versionText = rest.prefix { $0.isNumber || $0 == "." }
        guard !versionText.isEmpty, rest.dropFirst(versionText.count).hasPrefix("/") else { return (nil, path) }
        // The daemon's router accepts any digits and dots here; odd ones compare as best they can.
        let version = APIVersion(String(versionText)) ?? APIVersion(known: "0")
        return (version, String(rest.dropFirst(versionText.count)))
    }

    /// The version middleware's verdict, in the wording of the persona's era.
    static func versionError(_ version: APIVersion, persona: DaemonPersona) -> APIError? {
        let tooNew = version > persona.api
        let tooOld = version < persona.minimumAPI
        guard tooNew || tooOld else { return nil }
        if persona.has(.versionErrorsNameClientVersion) {
            // Since Docker 17.06 the minimum is checked first.
            if tooOld {
                return .badRequest(
                    "client version \(version) is too old. Minimum supported API version is \(persona.minAPIVersion), please upgrade your client to a newer version"
                )
            }
            return .badRequest(
                "client version \(version) is too new. Maximum supported API version is \(persona.apiVersion)")
        }
        if tooNew {
            return .badRequest(
                "client is newer than server (client API version: \(version), server API version: \(persona.apiVersion))"
            )
        }
        return .badRequest(
            "client is too old, minimum supported API version is \(persona.minAPIVersion), please upgrade your client to a newer version"
        )
    }
}

/// Error bodies as the daemon writes them: `{"message": ...}` JSON when both the daemon and the
/// requested version have JSON errors (API 1.24), else Go's http.Error plain text.
struct ErrorFormatter {
    let persona: DaemonPersona
    let requestedVersion: APIVersion?
    let isHeadRequest: Bool

    var usesJSON: Bool {
        persona.has(.jsonErrors) && (requestedVersion.map { $0 >= DaemonFeature.jsonErrors.since } ?? true)
    }

    func send(_ error: APIError, on response: ResponseWriter) throws {
        if usesJSON {
            let body: JSON = ["message": JSON(error.message)]
            try response.respond(status: error.status, headers: [("Content-Type", "application/json")], body: body.line)
        } else {
            try sendPlain(status: error.status, text: error.message, on: response)
        }
    }

    /// Unknown routes: moby's JSON "page not found", or gorilla/mux's default before API 1.24.
    func sendPageNotFound(on response: ResponseWriter) throws {
        if persona.has(.jsonErrors) {
            let body: JSON = ["message": "page not found"]
            try response.respond(status: 404, headers: [("Content-Type", "application/json")], body: body.line)
        } else {
            try sendPlain(status: 404, text: "404 page not found", on: response)
        }
    }

    private func sendPlain(status: Int, text: String, on response: ResponseWriter) throws {
        try response.respond(
            status: status,
            headers: [("Content-Type", "text/plain; charset=utf-8"), ("X-Content-Type-Options", "nosniff")],
            body: Data((text + "\n").utf8))
    }
}
