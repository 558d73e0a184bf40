@testable import DockerEngine
import FakeEngine
import Foundation
import Testing

struct DedicatedEngineThreadTests {
    @Test("calls on a dedicated thread run there and work; elsewhere they go to the transport's threads")
    func inline() async throws {
        #expect(!DedicatedEngineThread.isCurrentThreadDedicated)
        try await FakeEngine.withRunning(.docker26) { engine in
            let client = EngineClient(address: try EngineAddress(parsing: engine.address))
            let (dedicated, version) = try await DedicatedEngineThread.run {
                var versions: [APIVersion?] = []
                for _ in 0..<20 { versions.append(try await client.ping().apiVersion) }
                return (DedicatedEngineThread.isCurrentThreadDedicated, versions)
            }
            #expect(dedicated)
            #expect(version == Array(repeating: APIVersion(1, 45), count: 20))
            #expect(!DedicatedEngineThread.isCurrentThreadDedicated)
            _ = try await client.ping()
        }
    }

    @Test("an error thrown on the dedicated thread reaches the caller")
    func throwsThrough() async {
        struct Marker: Error {}
        await #expect(throws: Marker.self) {
            try await DedicatedEngineThread.run { () async throws -> Int in throw Marker() }
        }
    }
}
