import DockerEngine
import FakeEngine
import Foundation
import Testing

// Shared set-up of the client tests that run against the fake engine.

/// Runs `body` with a fake engine playing `persona` and a client of it that negotiates its
/// API version. The environment is empty, so the test machine's DOCKER_HOST and
/// DOCKER_API_VERSION never leak in.
///
/// - Parameters:
///   - persona: The daemon the fake engine plays.
///   - timeout: The client's default deadline: generous, so that only tests about
///     deadlines ever see one.
///   - body: The test.
func withClient<T: Sendable>(
    _ persona: DaemonPersona,
    timeout: Duration = .seconds(20),
    _ body: (FakeEngine, EngineClient) async throws -> T
) async throws -> T {
    try await FakeEngine.withRunning(persona) { engine in
        let client = try EngineClient(explicitAddress: engine.address, environment: [:], timeout: timeout)
        return try await body(engine, client)
    }
}

/// The command of a container that runs (silently) for as long as any test needs it.
let idleCommand = ["idle"]

extension FakeEngine {
    /// Scripts processes by the first word of their command: `idle` runs for a minute,
    /// the words in `scripts` run their script, anything else runs the fake's default program.
    func script(_ scripts: [String: ScriptedProcess] = [:]) {
        let all = scripts.merging([idleCommand[0]: ScriptedProcess(runningFor: .seconds(60))]) { mine, _ in mine }
        setProgram { command, tty in
            all[command.first ?? ""] ?? ScriptedProcess.defaultProgram(command, tty: tty)
        }
    }

    /// The recorded requests whose path (without query) ends with `suffix`.
    func requests(endingWith suffix: String) -> [RecordedRequest] {
        requests.filter { $0.pathWithoutQuery.hasSuffix(suffix) }
    }
}

extension EngineClient {
    /// Creates and starts a container running `command`.
    ///
    /// - Returns: The container's id.
    func runContainer(_ command: [String] = idleCommand, tty: Bool = false) async throws -> String {
        var config = ContainerConfig(image: "busybox", cmd: command)
        config.tty = tty
        let id = try await createContainer(config).id
        try await startContainer(id)
        return id
    }
}

/// Docker's multiplexed framing of one payload: stream type, three zero bytes, big-endian size.
func multiplexedFrame(_ stream: UInt8, _ payload: Data) -> Data {
    let size = UInt32(payload.count)
    return Data([
        stream, 0, 0, 0, UInt8(size >> 24), UInt8((size >> 16) & 0xff), UInt8((size >> 8) & 0xff), UInt8(size & 0xff),
    ]) + payload
}

/// A temporary folder, removed when `body` ends.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dindlab-client-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
}

/// How long `body` took, and what it threw (or nil when it returned).
///
/// Deadline tests use it for one loose upper bound only: a call that should time out must
/// end within its deadline plus one second (the client's documented contract).
func measure(_ body: () async throws -> Void) async -> (elapsed: Duration, error: (any Error)?) {
    let clock = ContinuousClock()
    let start = clock.now
    do {
        try await body()
        return (clock.now - start, nil)
    } catch {
        return (clock.now - start, error)
    }
}

/// `count` reproducible arbitrary bytes (every value from 0 to 255 occurs), made eight at a
/// time so that megabytes cost milliseconds even in a debug build: the tests share the
/// cooperative thread pool with deadline tests and must not hog it.
func arbitraryBytes(count: Int, seed: UInt64) -> Data {
    var generator = SeededGenerator(seed: seed)
    var data = Data(count: (count + 7) / 8 * 8)
    data.withUnsafeMutableBytes { buffer in
        let words = buffer.bindMemory(to: UInt64.self)
        for index in words.indices { words[index] = generator.next() }
    }
    return data.prefix(count)
}
