import Foundation

/// The versions a daemon reports on GET /version.
public struct EngineVersions: Sendable, Hashable {
    /// The daemon's version ("20.10.24+dfsg1").
    public var server: String
    /// The newest API version it speaks ("1.41").
    public var api: String
    /// The oldest API version it accepts, when it says (API 1.25 and later).
    public var minimumAPI: String?

    public init(server: String, api: String, minimumAPI: String? = nil) {
        self.server = server
        self.api = api
        self.minimumAPI = minimumAPI
    }
}

/// How the private engine asks a daemon whether it answers. Injected so tests can stand in
/// for a daemon; `UnixSocketProbe` is the real one.
public protocol EngineProbe: Sendable {
    /// Whether the daemon on `socket` answers GET /_ping with 200.
    func isAnswering(socket: String) async -> Bool
    /// The daemon's versions from GET /version, or nil when it does not answer.
    func versions(socket: String) async -> EngineVersions?
}

/// A minimal HTTP/1.0 client over a unix socket, just enough for readiness and versions:
/// HTTP/1.0 means no keep-alive and no chunked bodies, which every daemon since 1.7 honours.
/// The blocking socket calls run on a Dispatch queue, never on Swift's cooperative pool.
public struct UnixSocketProbe: EngineProbe {
    /// How long one request may take, connect to last byte.
    public var timeout: Duration

    /// - Parameter timeout: The limit for one request; a daemon still starting may be slow.
    public init(timeout: Duration = .seconds(3)) {
        self.timeout = timeout
    }

    public func isAnswering(socket: String) async -> Bool {
        guard let response = await get("/_ping", socket: socket) else { return false }
        return response.status == 200
    }

    public func versions(socket: String) async -> EngineVersions? {
        guard let response = await get("/version", socket: socket), response.status == 200,
              let json = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let server = json["Version"] as? String, let api = json["ApiVersion"] as? String
        else { return nil }
        return EngineVersions(server: server, api: api, minimumAPI: json["MinAPIVersion"] as? String)
    }

    struct Response {
        var status: Int
        var body: Data
    }

    func get(_ path: String, socket: String) async -> Response? {
        let timeout = timeout
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.blockingGet(path, socket: socket, timeout: timeout))
            }
        }
    }

    private static func blockingGet(_ path: String, socket socketPath: String, timeout: Duration) -> Response? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }

        let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let (seconds, attoseconds) = timeout.components
        var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))

        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { return nil }

        let request = Array("GET \(path) HTTP/1.0\r\nHost: docker\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return nil }
            sent += count
        }

        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let deadline = ContinuousClock.now + timeout
        while received.count < 4 << 20, ContinuousClock.now < deadline {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            received.append(contentsOf: buffer[..<count])
        }
        return parse(received)
    }

    /// Splits "HTTP/1.x STATUS ...\r\n headers \r\n\r\n body".
    static func parse(_ data: Data) -> Response? {
        guard let headerEnd = data.range(of: Data("\r\n\r\n".utf8)),
              let statusLine = String(data: data[..<headerEnd.lowerBound], encoding: .utf8)?
                .split(separator: "\r\n").first
        else { return nil }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else { return nil }
        return Response(status: status, body: Data(data[headerEnd.upperBound...]))
    }
}
