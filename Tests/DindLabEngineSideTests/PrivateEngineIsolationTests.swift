import DockerEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// nil when a real dockerd can be started here, else why not.
private let realDaemonUnavailable: String? = {
    if let reason = EngineTestHost.isolationUnavailable { return reason }
    if ExecutableSearch.resolve("dockerd", environment: EngineTestHost.environment) == nil {
        return "needs dockerd (apt-get install docker.io)"
    }
    return nil
}()

@Suite(
    "Private engine isolation with a real dockerd",
    .enabled(if: realDaemonUnavailable == nil, Comment(rawValue: realDaemonUnavailable ?? "")))
struct PrivateEngineIsolationTests {
    @Test("up and down change nothing of the host and leave no process, mount or socket")
    func realDaemonLeavesHostUnchanged() async throws {
        let root = try EngineTestHost.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = root + "/e"
        let engines = PrivateEngine(environment: EngineTestHost.environment)
        let before = HostSnapshot.take()

        let record = try await engines.up(name: "isolation", dir: dir)
        let status = try await engines.status(name: "isolation", dir: dir)
        let versions = try #require(status.versions, "the daemon answers GET /version on \(record.socket)")
        #expect(DaemonVersion(versionText: versions.version) == record.version)
        #expect(versions.apiVersion >= APIVersion.oldestSupported)
        for namespace in ["mnt", "net"] {
            let theirs = try FileManager.default.destinationOfSymbolicLink(
                atPath: "/proc/\(record.pid)/ns/\(namespace)")
            let ours = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/\(namespace)")
            #expect(theirs != ours, "the daemon has a \(namespace) namespace of its own")
        }
        // The daemon's own mounts (its data root, containerd's state) stay inside its namespace.
        #expect(MountTable.mountPoints(within: dir, in: MountTable.read()).isEmpty)
        #expect(
            !ProcessTable.processes(markedBy: EngineLayout(directory: dir).namespaceScratch).isEmpty,
            "the daemon and its containerd carry the engine's marker")

        let report = try await engines.down(name: "isolation", dir: dir)
        #expect(report.daemonPID == record.pid)
        let after = HostSnapshot.take()

        #expect(after == before, "the host changed:\nbefore\n\(before)\nafter\n\(after)")
        let layout = EngineLayout(directory: dir)
        #expect(ProcessTable.processes(markedBy: layout.namespaceScratch).isEmpty, "no process of the engine is left")
        #expect(!ProcessTable.isRunning(record.pid, startTicks: record.processStartTicks))
        #expect(
            MountTable.read().filter { MountTable.path($0.mountPoint, isWithin: dir) }.isEmpty,
            "no mount under \(dir) is left")
        #expect(!FileManager.default.fileExists(atPath: layout.socket), "the socket is gone")
        #expect(!FileManager.default.fileExists(atPath: layout.pidFile), "the pid file is gone")
        #expect(await EngineClientProbe().isAnswering(socket: layout.socket) == false)
    }
}
