package import DockerEngine
import Foundation

/// How the private engine asks a daemon whether it answers. Injected so tests can stand in
/// for a daemon; `EngineClientProbe` is the real one.
package protocol EngineProbe: Sendable {
    /// Whether the daemon on `socket` answers GET /_ping.
    func isAnswering(socket: String) async -> Bool
    /// The daemon's GET /version answer, or nil when it does not answer.
    func versions(socket: String) async -> EngineVersion?
}

/// Asks through the Engine API client, with a short deadline per call: a daemon that is
/// still starting must not hold up the readiness loop.
package struct EngineClientProbe: EngineProbe {
    /// The deadline of one call.
    package var timeout: Duration

    /// - Parameter timeout: The deadline of one call.
    package init(timeout: Duration = .seconds(3)) {
        self.timeout = timeout
    }

    package func isAnswering(socket: String) async -> Bool {
        (try? await client(socket).ping(timeout: timeout)) != nil
    }

    package func versions(socket: String) async -> EngineVersion? {
        try? await client(socket).version()
    }

    private func client(_ socket: String) -> EngineClient {
        EngineClient(address: EngineAddress(endpoint: .unix(path: socket)), timeout: timeout)
    }
}
