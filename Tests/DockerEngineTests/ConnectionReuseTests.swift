import DockerEngine
import FakeEngine
import Foundation
import Testing

/// One client keeps its connection to the engine alive between calls, so a benchmark of a
/// thousand pings measures round trips, not connects.
@Suite("ConnectionReuse", .timeLimit(.minutes(1)))
struct ConnectionReuseTests {
    @Test("Sequential calls from one client share one connection", arguments: DaemonPersona.all)
    func sequentialCallsShareOneConnection(persona: DaemonPersona) async throws {
        try await withClient(persona) { engine, client in
            for _ in 0..<20 { _ = try await client.ping() }
            // Versioned calls, and an error answer in between, keep it too.
            _ = try await client.info()
            _ = await #expect(throws: EngineError.self) { try await client.inspectContainer("no-such-box") }
            for _ in 0..<5 { _ = try await client.ping() }
            let requests = engine.requests
            let expectedCount = 20 + 3 + 1 + 5
            #expect(requests.count == expectedCount)
            let connections = Set(requests.map(\.connectionID))
            let log = requests.map { "\($0.connectionID) \($0.path)" }
            #expect(connections.count == 1, "\(log)")
        }
    }

    @Test("Two clients do not share a connection")
    func clientsHaveTheirOwnConnections() async throws {
        try await withClient(.docker26) { engine, client in
            let other = EngineClient(address: client.address)
            _ = try await client.ping()
            _ = try await other.ping()
            _ = try await client.ping()
            let ids = engine.requests.map(\.connectionID)
            #expect(ids.count == 3)
            #expect(ids[0] == ids[2])
            #expect(ids[1] != ids[0])
        }
    }
}
