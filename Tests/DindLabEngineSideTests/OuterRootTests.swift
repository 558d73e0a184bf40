import DockerEngine
import FakeEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// The host route to the inner daemon (`OuterRoot`): a folder stands in for an outer
/// container's root, and a fake engine's socket, hard-linked into it, for the inner daemon.
@Suite("The inner daemon reached from the engine's host")
struct OuterRootTests {
    /// A stand-in container root: Debian's /var/run -> /run link, dindlab's state folder and
    /// the busybox tar, and the fake daemon's socket at /run/docker.sock.
    struct StandIn {
        let folder: URL
        var root: OuterRoot { OuterRoot(pid: 1, prefix: folder.path) }

        init(socket: String?, files: [String: String]) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "dl-root-\(UUID().uuidString.prefix(8))")
            let manager = FileManager.default
            for dir in ["var", "run", "dindlab/run", "dindlab/images"] {
                try manager.createDirectory(at: folder.appendingPathComponent(dir), withIntermediateDirectories: true)
            }
            try manager.createSymbolicLink(
                atPath: folder.appendingPathComponent("var/run").path, withDestinationPath: "/run")
            if let socket {
                // A socket is reached through any of its names: the hard link is the fake daemon.
                #expect(
                    link(socket, folder.appendingPathComponent("run/docker.sock").path) == 0,
                    "link(2) of the fake engine's socket failed: errno \(errno)")
            }
            for (path, text) in files {
                try Data(text.utf8).write(to: folder.appendingPathComponent(path))
            }
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    @Test("an absolute link inside the container leads into its root, not to the host's")
    func links() throws {
        let standIn = try StandIn(socket: nil, files: [:])
        defer { standIn.remove() }
        #expect(standIn.root.hostPath("/var/run/docker.sock") == standIn.folder.path + "/run/docker.sock")
        #expect(standIn.root.hostPath("/var/../var/run/./x") == standIn.folder.path + "/run/x")
        #expect(
            standIn.root.hostPath("/dindlab/images/busybox.tar") == standIn.folder.path + "/dindlab/images/busybox.tar")
    }

    @Test(
        "which trials wait through exec, and why",
        arguments: [
            (
                EngineAddress.Endpoint.unix(path: "/tmp/e/docker.sock"), [String: String](), ["dockerd"],
                [String: String](), nil as String?
            ),
            (.tcp(host: "127.0.0.1", port: 2375), [:], ["dockerd"], [:], "not on this machine"),
            (.unix(path: "/tmp/e/docker.sock"), ["DOCKER_HOST": "tcp://x:1"], ["dockerd"], [:], "DOCKER_HOST"),
            (.unix(path: "/tmp/e/docker.sock"), [:], ["dockerd", "-H", "unix:///x.sock"], [:], "-H/--host"),
            (.unix(path: "/tmp/e/docker.sock"), [:], ["docker", "daemon", "--host=unix:///x.sock"], [:], "-H/--host"),
            (.unix(path: "/tmp/e/docker.sock"), [:], ["dockerd"], [OuterRoot.routeVariable: "exec"], "asks for exec"),
        ])
    func route(
        endpoint: EngineAddress.Endpoint, env: [String: String], command: [String], process: [String: String],
        reason: String?
    ) {
        let found = OuterRoot.unusableReason(
            endpoint: endpoint, environment: env, daemonCommand: command, processEnvironment: process)
        if let reason {
            #expect(found?.contains(reason) == true, "\(found ?? "nil")")
        } else {
            #expect(found == nil)
        }
    }

    @Test("a pid whose root is not the container's is refused")
    func identity() {
        // This process's root is the host's: its /etc/hostname is not a container id.
        guard
            case .failure(let error) = OuterRoot.find(
                pid: Int(getpid()), containerID: "0123456789abcdef0123456789abcdef")
        else {
            Issue.record("the test process's root was taken for a container's")
            return
        }
        #expect(error.description.contains("/etc/hostname"))
        guard case .failure = OuterRoot.find(pid: 0, containerID: "0123456789ab") else {
            Issue.record("pid 0 was accepted")
            return
        }
    }

    enum Setup: String, CaseIterable, Sendable {
        case answering, setupFailed, daemonGone
    }

    @Test(
        "the wait tells a ready daemon, a failed setup and a dead daemon apart",
        arguments: DaemonPersona.oldEra + [.docker26], Setup.allCases)
    func wait(persona: DaemonPersona, setup: Setup) async throws {
        try await FakeEngine.withRunning(persona) { engine in
            var files = ["dindlab/run/setup.done": "", "dindlab/run/daemon.pid": "4242\n"]
            if setup == .setupFailed { files["dindlab/run/setup.failed"] = "1\n" }
            let standIn = try StandIn(socket: setup == .answering ? engine.socketPath : nil, files: files)
            defer { standIn.remove() }
            if setup == .daemonGone {
                // The container's /proc, without the daemon's pid in it.
                try FileManager.default.createDirectory(
                    at: standIn.folder.appendingPathComponent("proc/1"), withIntermediateDirectories: true)
            }
            let (status, client, detail) = await standIn.root.waitReady(timeout: .seconds(5))
            switch setup {
            case .answering:
                #expect(status == .ready, "\(detail)")
                #expect(client != nil)
                #expect(engine.requests.contains { $0.pathWithoutQuery == "/_ping" })
            case .setupFailed:
                #expect(status == .setupFailed, "\(detail)")
            case .daemonGone:
                #expect(status == .daemonDied, "\(detail)")
                #expect(detail.contains("4242"))
            }
        }
    }

    @Test(
        "the inner image is imported from the file the outer image ships, once",
        arguments: DaemonPersona.oldEra + [.docker20dot10])
    func importImage(persona: DaemonPersona) async throws {
        try await FakeEngine.withRunning(persona) { engine in
            let tar = try Self.tinyTar()
            let standIn = try StandIn(socket: engine.socketPath, files: [:])
            defer { standIn.remove() }
            try tar.write(to: standIn.folder.appendingPathComponent("dindlab/images/busybox.tar"))
            let client = EngineClient(address: EngineAddress(endpoint: .unix(path: standIn.root.socketPath)))
            let done = try await standIn.root.importInnerImage(
                "busybox", into: client, checkFirst: false, timeout: .seconds(10))
            #expect(done.contains("busybox:latest"))
            #expect(
                engine.requests.contains {
                    $0.method == "POST" && $0.path.contains("fromSrc=-") && $0.path.contains("repo=busybox")
                        && $0.bodyLength == tar.count
                })
            // Checked first, the image is there: nothing is imported again.
            engine.clearRequests()
            let again = try await standIn.root.importInnerImage(
                "busybox", into: client, checkFirst: true, timeout: .seconds(10))
            #expect(again.contains("nothing imported"), "\(again)")
            #expect(!engine.requests.contains { $0.method == "POST" })
            // An image the outer image does not ship is the trial's failure, in the script's words.
            await #expect(throws: TrialFailure.self) {
                _ = try await standIn.root.importInnerImage(
                    "alpine:3", into: client, checkFirst: false, timeout: .seconds(10))
            }
        }
    }

    /// A one-file tar archive (one 512-byte header, the content, two zero blocks).
    static func tinyTar() throws -> Data {
        var header = Data(count: 512)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
        }
        let content = Data("ok\n".utf8)
        put("hello", at: 0)
        put("0000644\0", at: 100)
        put("0000000\0", at: 108)
        put("0000000\0", at: 116)
        put(String(format: "%011o\0", content.count), at: 124)
        put("00000000000\0", at: 136)
        put("        ", at: 148)
        put("0", at: 156)
        put("ustar\0", at: 257)
        put("00", at: 263)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o\0 ", sum), at: 148)
        var tar = header + content
        tar.append(Data(count: 512 - content.count))
        tar.append(Data(count: 1024))
        return tar
    }
}
