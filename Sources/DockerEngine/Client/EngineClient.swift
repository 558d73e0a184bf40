public import Foundation
import Synchronization

/// A client of one Docker Engine's HTTP API, from API 1.19 (Docker 1.7) to 1.51 (Docker 28).
///
/// The first call negotiates the API version (unless one was pinned) and every request is
/// then sent to `/v<version>/...`. Every call has a deadline. Calls may come from many
/// tasks at once; blocking libcurl work runs off Swift's cooperative thread pool.
public final class EngineClient: Sendable {
    /// Where the engine listens.
    public let address: EngineAddress
    /// The deadline of calls that do not name their own.
    public let defaultTimeout: Duration
    let transport: CurlTransport
    private let negotiation: NegotiationState
    /// Host configurations that travel with start (Docker 1.7 builds that cannot decode them at create).
    let startHostConfigs = StartHostConfigs()

    /// Creates a client. Nothing is sent until the first call.
    ///
    /// - Parameters:
    ///   - address: The engine's address.
    ///   - apiVersion: An API version to use as given (DOCKER_API_VERSION), or nil to negotiate.
    ///   - timeout: The deadline of calls that do not name their own.
    public init(address: EngineAddress, apiVersion: APIVersion? = nil, timeout: Duration = .seconds(60)) {
        self.address = address
        self.defaultTimeout = timeout
        self.transport = CurlTransport(address: address)
        self.negotiation = NegotiationState(pinned: apiVersion)
    }

    /// Creates a client the way the docker CLI finds its engine: the explicit address, else
    /// DOCKER_HOST, else /var/run/docker.sock; the API version from `apiVersion`, else
    /// DOCKER_API_VERSION, else negotiated (`EngineConfiguration` reads the environment).
    ///
    /// - Throws: `EngineError.invalidAddress` for a malformed address; the errors of
    ///   `EngineConfiguration` for a bad API version or environment variable.
    public convenience init(
        explicitAddress: String?, apiVersion: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = .seconds(60)
    ) throws {
        let configuration = try EngineConfiguration.resolve(apiVersion: apiVersion, environment: environment)
        let address = try EngineAddress.resolve(explicit: explicitAddress, configuration: configuration)
        self.init(address: address, apiVersion: configuration.apiVersion, timeout: timeout)
    }

    /// The API version requests use: pinned or negotiated; nil before negotiation.
    public var apiVersion: APIVersion? { negotiation.current }

    /// The daemon's /version answer from negotiation, if it happened.
    public var negotiatedEngineVersion: EngineVersion? { negotiation.engineVersion }

    /// Settles the API version: a pinned one is checked against the daemon (which refuses
    /// versions it does not support); otherwise GET /_ping and GET /version pick the newest
    /// version both sides speak.
    ///
    /// - Parameter timeout: The deadline of each negotiation request; the client's default when
    ///   nil. Calls negotiate under their own deadline, so that a daemon that hangs before the
    ///   version is settled still fails the call in time.
    /// - Returns: The API version every later request is pinned to.
    /// - Throws: `EngineError.apiVersionRefused` in the daemon's own words when it refuses a
    ///   pinned version; `EngineError.apiVersionUnsupported` for a daemon older than API 1.19;
    ///   transport errors when the engine cannot be reached.
    @discardableResult
    public func negotiate(timeout: Duration? = nil) async throws -> APIVersion {
        if let settled = negotiation.settled { return settled }
        if let pinned = negotiation.pinned {
            let version: EngineVersion = try await decode(send("GET", "/version", versioned: pinned, timeout: timeout))
            negotiation.settle(pinned, engineVersion: version)
            return pinned
        }
        let ping = try await self.ping(timeout: timeout)
        let version: EngineVersion = try await decode(send("GET", "/version", versioned: nil, timeout: timeout))
        let daemonVersion = ping.apiVersion ?? version.apiVersion
        guard daemonVersion >= APIVersion.oldestSupported else {
            throw EngineError.apiVersionUnsupported(
                daemonVersion: daemonVersion.description,
                reason: "dindlab speaks API \(APIVersion.oldestSupported) (Docker 1.7) and newer")
        }
        let chosen = min(daemonVersion, APIVersion.newestSupported)
        negotiation.settle(chosen, engineVersion: version)
        return chosen
    }

    /// Settles the API version from a `/_ping` answer that names one (API 1.25 and later), as
    /// `negotiate` would, so that the next call skips negotiation's two round trips
    /// (`negotiatedEngineVersion` stays nil then). Does nothing when a version is pinned or
    /// already settled, or the answer names none.
    public func settle(from ping: PingResult) {
        guard negotiation.pinned == nil, negotiation.settled == nil, let version = ping.apiVersion,
            version >= APIVersion.oldestSupported
        else { return }
        negotiation.settle(min(version, APIVersion.newestSupported), engineVersion: nil)
    }

    // MARK: Requests

    /// Sends a request to the versioned path and checks the status.
    ///
    /// - Parameters:
    ///   - method: HTTP method.
    ///   - path: The path after the version prefix, e.g. "/containers/json".
    ///   - query: Query items; nil values are left out.
    ///   - body: The request body.
    ///   - timeout: The deadline of this call; the client's default when nil.
    /// - Returns: The response of a successful (2xx or 304) call.
    /// - Throws: `EngineError` with the daemon's message for error statuses.
    func request(
        _ method: String, _ path: String, query: [(String, String?)] = [], body: HTTPRequest.Body = .none,
        timeout: Duration? = nil, headers: [(String, String)] = []
    ) async throws -> HTTPResponse {
        let version = try await negotiate(timeout: timeout)
        return try await send(
            method, path + queryString(query), versioned: version, body: body, timeout: timeout, headers: headers)
    }

    /// Like `request`, but streams a successful body to `onChunk` as it arrives.
    func streamingRequest(
        _ method: String, _ path: String, query: [(String, String?)] = [], body: HTTPRequest.Body = .none,
        timeout: Duration? = nil, onChunk: @escaping @Sendable (Data) throws -> Void
    ) async throws -> HTTPResponse {
        let version = try await negotiate(timeout: timeout)
        let request = makeRequest(method, path + queryString(query), versioned: version, body: body, timeout: timeout)
        let response = try await transport.perform(request, onChunk: onChunk)
        try check(response, request: request, version: version)
        return response
    }

    func send(
        _ method: String, _ pathAndQuery: String, versioned version: APIVersion?, body: HTTPRequest.Body = .none,
        timeout: Duration? = nil, headers: [(String, String)] = []
    ) async throws -> HTTPResponse {
        var request = makeRequest(method, pathAndQuery, versioned: version, body: body, timeout: timeout)
        request.headers = headers
        let response = try await transport.perform(request)
        try check(response, request: request, version: version)
        return response
    }

    func makeRequest(
        _ method: String, _ pathAndQuery: String, versioned version: APIVersion?, body: HTTPRequest.Body = .none,
        timeout: Duration? = nil
    ) -> HTTPRequest {
        let prefix = version.map { "/v\($0)" } ?? ""
        return HTTPRequest(method: method, path: prefix + pathAndQuery, body: body, timeout: timeout ?? defaultTimeout)
    }

    /// Throws the daemon's error for statuses outside 2xx (304 "not modified" is success).
    func check(_ response: HTTPResponse, request: HTTPRequest, version: APIVersion?) throws {
        guard !(200..<300).contains(response.status), response.status != 304 else { return }
        let message = Self.daemonMessage(
            in: response.body, contentType: response.contentType, apiVersion: version ?? negotiation.current)
        if Self.isVersionRefusal(status: response.status, message: message) {
            throw EngineError.apiVersionRefused(
                requested: version?.description ?? "(unversioned)", daemonMessage: message)
        }
        throw EngineError.http(method: request.method, path: request.path, status: response.status, message: message)
    }

    /// The daemon's message in an error body: plain text before API 1.24, JSON
    /// `{"message": ...}` from 1.24 on (the daemon picks the format by the requested version).
    static func daemonMessage(in body: Data, contentType: String, apiVersion: APIVersion?) -> String {
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let expectJSON = contentType.contains("json") || (apiVersion ?? .newestSupported) >= APIVersion(1, 24)
        if expectJSON || text.hasPrefix("{"),
            let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let message = object["message"] as? String
        {
            return message
        }
        return text
    }

    static func isVersionRefusal(status: Int, message: String) -> Bool {
        guard status == 400 else { return false }
        let lowered = message.lowercased()
        return (lowered.contains("client version") && (lowered.contains("too old") || lowered.contains("too new")))
            || lowered.contains("client is newer than server")
    }

    /// Decodes a JSON answer; a failure names the key path that did not fit.
    func decode<T: Decodable>(_ response: HTTPResponse, as type: T.Type = T.self) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch let error as DecodingError {
            throw EngineError.decoding(
                method: response.method, path: response.path, detail: describe(error, type: T.self))
        }
    }
}

/// A decoding error as a sentence that names the key path.
func describe<T>(_ error: DecodingError, type: T.Type) -> String {
    func pathText(_ path: [any CodingKey]) -> String {
        path.isEmpty
            ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .keyNotFound(let key, let context):
        return "\(T.self): the key \"\(key.stringValue)\" is missing at \(pathText(context.codingPath))"
    case .typeMismatch(let expected, let context):
        return "\(T.self): expected \(expected) at \(pathText(context.codingPath)): \(context.debugDescription)"
    case .valueNotFound(let expected, let context):
        return "\(T.self): expected \(expected) but found null at \(pathText(context.codingPath))"
    case .dataCorrupted(let context):
        return "\(T.self): \(context.debugDescription) at \(pathText(context.codingPath))"
    @unknown default:
        return "\(T.self): \(error)"
    }
}

/// The API version, settled once per client.
private final class NegotiationState: Sendable {
    let pinned: APIVersion?
    private let state = Mutex<(settled: APIVersion?, engineVersion: EngineVersion?)>((nil, nil))

    init(pinned: APIVersion?) {
        self.pinned = pinned
    }

    var settled: APIVersion? { state.withLock { $0.settled } }

    var current: APIVersion? { settled ?? pinned }

    var engineVersion: EngineVersion? { state.withLock { $0.engineVersion } }

    func settle(_ apiVersion: APIVersion, engineVersion: EngineVersion?) {
        state.withLock { $0 = (apiVersion, engineVersion) }
    }
}
