import FakeEngine
import Foundation
import Testing

@testable import DockerEngine

/// `pingRoundTrips`: a series of pings as one blocking job on one transport thread.
struct PingRoundTripsTests {
    @Test("every round trip reaches the daemon and is timed", arguments: [1, 25])
    func series(count: Int) async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let client = EngineClient(address: try EngineAddress(parsing: engine.address))
            let latencies = try await client.pingRoundTrips(count: count)
            #expect(latencies.count == count)
            #expect(latencies.allSatisfy { $0 > .zero })
            #expect(engine.requests.map(\.pathWithoutQuery) == Array(repeating: "/_ping", count: count))
        }
    }

    @Test("a daemon that hangs ends the series with a timeout that names /_ping")
    func errorEnds() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            engine.setFault(.hang, forPathContaining: "/_ping")
            let client = EngineClient(address: try EngineAddress(parsing: engine.address), timeout: .milliseconds(300))
            let error = await #expect(throws: EngineError.self) { try await client.pingRoundTrips(count: 3) }
            #expect(error?.isTimeout == true, "\(String(describing: error))")
            #expect(error?.description.contains("/_ping") == true)
        }
    }
}
