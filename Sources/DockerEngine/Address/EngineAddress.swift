import Foundation

/// Where an engine listens: a Unix socket or a TCP endpoint, with TLS when configured.
public struct EngineAddress: Sendable, Hashable, CustomStringConvertible {
    /// How to reach the daemon.
    public enum Endpoint: Sendable, Hashable {
        case unix(path: String)
        case tcp(host: String, port: Int)
    }

    /// The socket or host and port.
    public var endpoint: Endpoint
    /// Client certificates for TLS, as the docker CLI reads them from DOCKER_CERT_PATH.
    public var tls: TLSConfiguration?

    /// The default socket of a system daemon.
    public static let defaultSocketPath = "/var/run/docker.sock"

    /// Creates an address from its parts.
    public init(endpoint: Endpoint, tls: TLSConfiguration? = nil) {
        self.endpoint = endpoint
        self.tls = tls
    }

    /// Parses `unix:///path` or `tcp://host:port` (as DOCKER_HOST spells them).
    ///
    /// - Parameters:
    ///   - string: The address.
    ///   - tls: TLS settings for a tcp:// address; ignored for unix://.
    /// - Throws: `EngineError.invalidAddress` when the scheme is neither unix nor tcp, or
    ///   the path, host or port is missing or malformed.
    public init(parsing string: String, tls: TLSConfiguration? = nil) throws {
        if string.hasPrefix("unix://") {
            let path = String(string.dropFirst("unix://".count))
            guard path.hasPrefix("/") else {
                throw EngineError.invalidAddress(string, reason: "a unix:// address needs an absolute socket path")
            }
            guard path.utf8.count < 108 else {
                throw EngineError.invalidAddress(
                    string,
                    reason: "the socket path is \(path.utf8.count) bytes long, and Unix sockets allow at most 107")
            }
            self.init(endpoint: .unix(path: path))
        } else if string.hasPrefix("tcp://") {
            var rest = Substring(string.dropFirst("tcp://".count))
            if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
            let host: Substring
            let portText: Substring?
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                host = rest[rest.index(after: rest.startIndex)..<close]
                let after = rest[rest.index(after: close)...]
                portText = after.hasPrefix(":") ? after.dropFirst() : nil
            } else if let colon = rest.lastIndex(of: ":") {
                host = rest[..<colon]
                portText = rest[rest.index(after: colon)...]
            } else {
                host = rest
                portText = nil
            }
            guard !host.isEmpty else {
                throw EngineError.invalidAddress(string, reason: "a tcp:// address needs a host")
            }
            let defaultPort = tls == nil ? 2375 : 2376
            guard let port = portText.map({ Int($0) }) ?? defaultPort, (1...65535).contains(port) else {
                throw EngineError.invalidAddress(string, reason: "the port must be a number from 1 to 65535")
            }
            self.init(endpoint: .tcp(host: String(host), port: port), tls: tls)
        } else {
            let scheme = string.range(of: "://").map { String(string[..<$0.lowerBound]) }
            let reason = scheme.map { "the scheme \"\($0)\" is not supported" } ?? "it has no scheme"
            throw EngineError.invalidAddress(string, reason: reason)
        }
    }

    /// Resolves the engine address the way the docker CLI does: the explicit address, else
    /// the configuration's host (DOCKER_HOST), else the default socket; TLS from the
    /// configuration.
    ///
    /// - Parameters:
    ///   - explicit: An address given on the command line, if any.
    ///   - configuration: The resolved configuration.
    /// - Returns: The address to use.
    /// - Throws: `EngineError.invalidAddress` for malformed addresses.
    public static func resolve(explicit: String?, configuration: EngineConfiguration) throws -> EngineAddress {
        if let explicit, !explicit.isEmpty { return try configuration.address(parsing: explicit) }
        return configuration.host ?? EngineAddress(endpoint: .unix(path: defaultSocketPath))
    }

    /// The address as DOCKER_HOST spells it.
    public var description: String {
        switch endpoint {
        case .unix(let path): return "unix://\(path)"
        case .tcp(let host, let port): return host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }

    /// True for a tcp:// address without TLS: traffic and the daemon's root access are unprotected.
    public var isUnencryptedTCP: Bool {
        if case .tcp = endpoint { return tls == nil }
        return false
    }
}

/// TLS client settings (`EngineConfiguration` reads them from the environment like the docker
/// CLI does).
public struct TLSConfiguration: Sendable, Hashable {
    /// CA certificate that signed the daemon's certificate.
    public var caCertificatePath: String
    /// Client certificate and key.
    public var certificatePath: String
    public var keyPath: String
    /// Verify the daemon's certificate (DOCKER_TLS_VERIFY).
    public var verifyPeer: Bool

    /// Creates TLS settings from explicit files.
    public init(caCertificatePath: String, certificatePath: String, keyPath: String, verifyPeer: Bool) {
        self.caCertificatePath = caCertificatePath
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.verifyPeer = verifyPeer
    }
}
