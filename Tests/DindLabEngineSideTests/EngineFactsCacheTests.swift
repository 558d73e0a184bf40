import DockerEngine
import FakeEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// What a run learns about an engine's daemon is kept for that daemon instance only.
@Suite("Engine facts cache")
struct EngineFactsCacheTests {
    static let emulated = PrivilegeSupport(
        privileged: false, grantableCapabilities: ["CHOWN", "SYS_ADMIN"], refusedCapabilities: ["SYS_RESOURCE"],
        privilegedError: "unable to apply caps")

    @Test("facts are served for the socket they were learnt from, and not once it is created anew")
    func instanceChangesWithTheSocket() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dindlab-facts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let socket = folder.appendingPathComponent("docker.sock").path
        let address = EngineAddress(endpoint: .unix(path: socket))
        let cache = EngineFactsCache(folder: folder.appendingPathComponent("cache"))

        #expect(EngineInstance(address: address) == nil, "no socket, no instance")
        try Self.bindSocket(at: socket)
        let first = try #require(EngineInstance(address: address))
        #expect(cache.privilege(of: first) == nil)
        // A probe that could not tell is not kept: the next run asks again.
        cache.store(
            PrivilegeSupport(
                privileged: true, grantableCapabilities: [], refusedCapabilities: [], privilegedError: nil,
                probeError: "the probe container cannot be created"), of: first)
        #expect(cache.privilege(of: first) == nil)
        cache.store(Self.emulated, of: first)
        #expect(cache.privilege(of: first) == Self.emulated)
        #expect(cache.privilege(of: try #require(EngineInstance(address: address))) == Self.emulated)

        // A daemon that restarts removes its socket and binds a new one.
        try FileManager.default.removeItem(atPath: socket)
        try Self.bindSocket(at: socket)
        let second = try #require(EngineInstance(address: address))
        #expect(second != first)
        #expect(cache.privilege(of: second) == nil, "a restarted daemon is never served the facts of the one before")
        #expect(cache.privilege(of: first) == Self.emulated || cache.privilege(of: first) == nil)

        // What is learnt of the new daemon replaces the old entry (one file per socket).
        cache.store(
            PrivilegeSupport(
                privileged: true, grantableCapabilities: [], refusedCapabilities: [], privilegedError: nil), of: second)
        #expect(cache.privilege(of: second)?.privileged == true)
        #expect(cache.privilege(of: first) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.folder.path).count == 1)
    }

    @Test("tcp engines have no instance: their facts are learnt by every run")
    func remoteEnginesAreNotCached() throws {
        let address = try EngineAddress(parsing: "tcp://127.0.0.1:2375")
        #expect(EngineInstance(address: address) == nil)
    }

    @Test("a second run on the same fake daemon starts no probe container")
    func secondRunSkipsTheProbe() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let run = try ReliabilityFakeRun(engine: engine)
            defer { run.removeFolder() }
            let cache = EngineFactsCache(folder: run.folder.appendingPathComponent("engine-facts"))
            let file = try run.scenarioFile(repeatCount: 1)
            func probes() -> Int {
                engine.requests.filter {
                    $0.method == "POST" && $0.pathWithoutQuery.hasSuffix("/containers/create")
                        && String(decoding: $0.body, as: UTF8.self).contains("dindlab.probe")
                }.count
            }
            let first = try await run.run(try run.plan(file), file: file) { $0.engineFactsCache = cache }
            let afterFirst = probes()
            #expect(afterFirst > 0)
            let second = try await run.run(try run.plan(file), file: file) { $0.engineFactsCache = cache }
            #expect(probes() == afterFirst)
            #expect(second.manifest.engines.first?.fingerprint == first.manifest.engines.first?.fingerprint)
        }
    }

    /// Binds a Unix socket at `path`, as a daemon does when it starts, and closes it (the file stays).
    static func bindSocket(at path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw TestFailure("bind(\(path)) failed: errno \(errno)") }
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
