import DockerEngine
import FakeEngine
import Foundation
import Testing

/// Every call has a deadline: a daemon that never answers yields a timeout error that names
/// the method and path and the limit it was given; hung calls block neither each other nor
/// Swift's cooperative thread pool.
///
/// The daemon's hangs never end, so a call without its deadline would hang the test (the suite's
/// time limit then fails it). Which deadline ended a call is read from its error, not from a
/// clock: wall-clock bounds failed on a loaded machine, where a starved thread pool alone took
/// seconds. Where only time can tell two behaviours apart, the bound sits halfway between them.
@Suite("Deadlines", .timeLimit(.minutes(1)))
struct DeadlineTests {
    static let deadline = Duration.milliseconds(600)

    /// The limit a timeout error says the call had: "... within 600 ms." or "within 1.5 s.".
    static func limit(in error: EngineError) -> Duration? {
        let text = error.description
        guard let within = text.range(of: "within ", options: .backwards) else { return nil }
        let words = text[within.upperBound...].dropLast(text.hasSuffix(".") ? 1 : 0).split(separator: " ")
        guard words.count == 2, let value = Double(words[0]) else { return nil }
        switch words[1] {
        case "ms": return .milliseconds(value)
        case "s": return .milliseconds(value * 1000)
        default: return nil
        }
    }

    struct HangCase: Sendable, CustomTestStringConvertible {
        var name: String
        /// The request target fragment that hangs.
        var fragment: String
        /// The method and path the error must name.
        var request: String
        var call: @Sendable (EngineClient, Duration, URL) async throws -> Void
        var testDescription: String { name }
    }

    static let hangCases = [
        HangCase(name: "ping", fragment: "/_ping", request: "GET /_ping") { client, deadline, _ in
            _ = try await client.ping(timeout: deadline)
        },
        HangCase(name: "list containers", fragment: "/containers/json", request: "GET /v1.45/containers/json") {
            client, deadline, _ in
            _ = try await client.listContainers(timeout: deadline)
        },
        HangCase(name: "container wait", fragment: "/wait", request: "POST /v1.45/containers/box/wait") {
            client, deadline, _ in
            _ = try await client.waitContainer("box", timeout: deadline)
        },
        HangCase(name: "container logs", fragment: "/logs", request: "GET /v1.45/containers/box/logs") {
            client, deadline, _ in
            _ = try await client.containerLogs("box", tty: false, timeout: deadline)
        },
        HangCase(name: "attached exec start", fragment: "/exec/", request: "POST /v1.45/exec/0123abcd/start") {
            client, deadline, _ in
            _ = try await client.startExecAttached("0123abcd", tty: false, timeout: deadline)
        },
        HangCase(name: "image import", fragment: "/images/create", request: "POST /v1.45/images/create") {
            client, deadline, folder in
            let tar = folder.appendingPathComponent("rootfs.tar")
            try Data(repeating: 0x2a, count: 256 * 1024).write(to: tar)
            _ = try await client.importImage(tarFile: tar, repository: "dindlab/hang", tag: "1", timeout: deadline)
        },
    ]

    @Test("A hung call times out at its own deadline, naming method, path and the limit", arguments: hangCases)
    func hangTimesOut(_ testCase: HangCase) async throws {
        try await withClient(.docker26) { engine, client in
            try await withTemporaryDirectory { folder in
                try await client.negotiate()
                engine.setFault(.hang, forPathContaining: testCase.fragment)
                let (elapsed, thrown) = await measure { try await testCase.call(client, Self.deadline, folder) }
                let error = try #require(thrown as? EngineError, "\(String(describing: thrown))")
                #expect(error.isTimeout, "\(error)")
                #expect(error.description.contains(testCase.request), "\(error)")
                #expect(error.description.contains("timed out"), "\(error)")
                // What was left of the call's own deadline ended it (the client's is 20 s).
                let limit = try #require(Self.limit(in: error), "\(error)")
                #expect(limit > .zero && limit <= Self.deadline, "\(error) (\(elapsed))")
            }
        }
    }

    @Test(
        "The deadline covers negotiation: a call on a fresh client whose daemon hangs ends in time",
        arguments: ["/_ping", "/version"])
    func negotiationHonoursTheCallsDeadline(fragment: String) async throws {
        // The client's default deadline is long; the call's own one must bound the negotiation too.
        try await withClient(.docker20dot10, timeout: .seconds(30)) { engine, client in
            engine.setFault(.hang, forPathContaining: fragment)
            let (elapsed, thrown) = await measure { _ = try await client.listContainers(timeout: Self.deadline) }
            let error = try #require(thrown as? EngineError, "\(String(describing: thrown))")
            #expect(error.isTimeout, "\(error)")
            #expect(error.description.contains("GET \(fragment)"), "\(error)")
            // What was left of the call's 600 ms, not the client's 30 s.
            let limit = try #require(Self.limit(in: error), "\(error)")
            #expect(limit > .zero && limit <= Self.deadline, "\(error) (\(elapsed))")
        }
    }

    @Test("waitExec gives up at its deadline while the process keeps running")
    func waitExecDeadline() async throws {
        try await withClient(.docker1dot9) { engine, client in
            engine.script(["forever": ScriptedProcess(runningFor: .seconds(60))])
            let container = try await client.runContainer()
            let exec = try await client.createExec(in: container, ExecConfig(cmd: ["forever"], attach: false))
            try await client.startExecDetached(exec)
            let (elapsed, thrown) = await measure { _ = try await client.waitExec(exec, timeout: Self.deadline) }
            let error = try #require(thrown as? EngineError, "\(String(describing: thrown))")
            #expect(error.isTimeout, "\(error)")
            #expect(error.description.contains("/exec/\(exec)/json"), "\(error)")
            let limit = try #require(Self.limit(in: error), "\(error)")
            #expect(limit > .zero && limit <= Self.deadline, "\(error) (\(elapsed))")
        }
    }

    @Test("waitExec's deadline covers all its polls: a daemon that hangs late still ends it in time")
    func waitExecDeadlineCoversEveryPoll() async throws {
        let deadline = Duration.seconds(3)
        try await withClient(.docker26) { engine, client in
            engine.script(["forever": ScriptedProcess(runningFor: .seconds(60))])
            let container = try await client.runContainer()
            let exec = try await client.createExec(in: container, ExecConfig(cmd: ["forever"], attach: false))
            try await client.startExecDetached(exec)
            async let waited = measure { _ = try await client.waitExec(exec, timeout: deadline) }
            // Let it poll for most of its deadline, then stop answering.
            try await Task.sleep(for: .milliseconds(2400))
            engine.setFault(.hang, forPathContaining: "/exec/\(exec)/json")
            let (elapsed, thrown) = await waited
            let error = try #require(thrown as? EngineError, "\(String(describing: thrown))")
            #expect(error.isTimeout, "\(error)")
            // Covering every poll ends it at 3 s; a fresh deadline for the hung poll at 5.4 s or later.
            #expect(elapsed < .milliseconds(4200), "took \(elapsed)")
        }
    }

    @Test("exec's deadline covers the whole command, not each of its requests")
    func execDeadlineCoversTheCommand() async throws {
        let deadline = Duration.seconds(3)
        try await withClient(.docker20dot10) { engine, client in
            // The attached stream stays open while the process runs: most of the deadline.
            engine.script(["slow": ScriptedProcess(stdout: "done\n", runningFor: .milliseconds(2400))])
            let container = try await client.runContainer()
            // Then the daemon stops answering exec inspects.
            engine.setFault(.hang, forPathContaining: "/json")
            let (elapsed, thrown) = await measure {
                _ = try await client.exec(in: container, ["slow"], timeout: deadline)
            }
            let error = try #require(thrown as? EngineError, "\(String(describing: thrown))")
            #expect(error.isTimeout, "\(error)")
            #expect(error.description.contains("/exec/"), "\(error)")
            // Covering the command ends it at 3 s; a fresh deadline per request at 5.4 s or later.
            #expect(elapsed < .milliseconds(4200), "took \(elapsed)")
        }
    }

    static let hungCalls = 50

    /// Starts `hungCalls` calls that hang, each reporting how it ended, and returns once the
    /// daemon has received all of them. A few idle transport threads are left behind first,
    /// fewer than the burst needs: the burst must get threads of its own rather than queue
    /// behind hung calls.
    static func startHungCalls(
        _ group: inout ThrowingTaskGroup<Void, any Error>, engine: FakeEngine, client: EngineClient, deadline: Duration,
        report: @escaping @Sendable (_ error: (any Error)?, _ elapsed: Duration) async -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { warmUp in
            for _ in 0..<4 { warmUp.addTask { _ = try await client.ping() } }
            try await warmUp.waitForAll()
        }
        try await client.negotiate()
        engine.setFault(.hang, forPathContaining: "/containers/json")
        for _ in 0..<hungCalls {
            group.addTask {
                let (elapsed, error) = await measure { _ = try await client.listContainers(timeout: deadline) }
                await report(error, elapsed)
            }
        }
        while engine.requests(endingWith: "/containers/json").count < hungCalls {
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// How the hung calls ended.
    actor Endings {
        private(set) var errors: [(error: (any Error)?, elapsed: Duration)] = []
        func add(_ error: (any Error)?, _ elapsed: Duration) { errors.append((error, elapsed)) }
    }

    @Test("50 concurrent hung calls all time out side by side, not one after another")
    func manyHungCallsTimeOutTogether() async throws {
        let deadline = Duration.seconds(1)
        try await withClient(.docker26) { engine, client in
            let endings = Endings()
            try await withThrowingTaskGroup(of: Void.self) { group in
                try await Self.startHungCalls(&group, engine: engine, client: client, deadline: deadline) {
                    await endings.add($0, $1)
                }
                try await group.waitForAll()
            }
            let errors = await endings.errors
            #expect(errors.count == Self.hungCalls)
            let others = errors.compactMap {
                ($0.error as? EngineError)?.isTimeout == true ? nil : String(describing: $0.error)
            }
            #expect(others.isEmpty, "\(others)")
            #expect(
                errors.allSatisfy {
                    ($0.error as? EngineError).flatMap(Self.limit(in:)).map { $0 > .zero && $0 <= deadline } == true
                }, "each ended at its own deadline")
            // One after another, 50 hung calls would take 50 s; side by side, about 1 s.
            let slowest = errors.map(\.elapsed).max() ?? .zero
            #expect(slowest < deadline * Self.hungCalls / 2, "the slowest hung call took \(slowest)")
        }
    }

    @Test(
        "While 50 calls hang, a ping still gets through: hung calls block neither transport threads nor the cooperative pool"
    )
    func pingWhileCallsHang() async throws {
        try await withClient(.docker26) { engine, client in
            let endings = Endings()
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Long deadlines: the ping has all the time it needs, the test ends by cancelling.
                try await Self.startHungCalls(&group, engine: engine, client: client, deadline: .seconds(30)) {
                    await endings.add($0, $1)
                }
                _ = try await client.ping(timeout: .seconds(10))
                #expect(await endings.errors.isEmpty, "hung calls ended before the ping did")
                group.cancelAll()
                try await group.waitForAll()
            }
            let errors = await endings.errors
            #expect(errors.count == Self.hungCalls)
            let others = errors.compactMap {
                ($0.error as? EngineError)?.isCancelled == true ? nil : String(describing: $0.error)
            }
            #expect(others.isEmpty, "cancelled hung calls must end as cancelled: \(others)")
        }
    }
}
