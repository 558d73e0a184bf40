import DockerEngine
import Foundation
import Testing

/// The Engine API client against a real dockerd, with the API version pinned to the
/// oldest ones dindlab speaks and to the negotiated one.
@Suite(.enabled(if: RealEngine.isAvailable, RealEngine.unavailableReason))
struct ContainerLifecycleTests {
    static let versions: [String?] = ["1.19", "1.21", nil]

    @Test("create, start, exec, logs, wait, remove", arguments: versions)
    func lifecycle(apiVersion: String?) async throws {
        let image = try await TestImages.shared.busyboxImage()
        let client = try RealEngine.client(apiVersion: apiVersion)
        let negotiated = try await client.negotiate()
        if let apiVersion { #expect(negotiated.description == apiVersion) }

        var config = ContainerConfig(image: image, cmd: ["sh", "-c", "echo started; echo warning >&2; sleep 30"])
        config.labels = RealEngine.labels(test: "lifecycle")
        var host = HostConfig()
        host.networkMode = "none"
        config.hostConfig = host
        let container = try await client.createContainer(config)
        do {
            try await client.startContainer(container.id)
            let state = try await client.inspectContainer(container.id)
            #expect(state.state.running)

            let plain = try await client.exec(in: container.id, ["sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(plain.exitCode == 3)
            #expect(plain.output.stdoutText == "out\n")
            #expect(plain.output.stderrText == "err\n")

            let terminal = try await client.exec(
                in: container.id, ["sh", "-c", "tty >/dev/null && echo is-a-tty"], tty: true)
            #expect(terminal.exitCode == 0)
            #expect(terminal.output.stdoutText.contains("is-a-tty"))

            let logs = try await client.containerLogs(container.id, tty: false)
            #expect(logs.stdoutText == "started\n")
            #expect(logs.stderrText == "warning\n")

            try await client.killContainer(container.id)
            let status = try await client.waitContainer(container.id)
            #expect(status == 137)
        } catch {
            try? await client.removeContainer(container.id)
            throw error
        }
        try await client.removeContainer(container.id)
        await #expect(throws: EngineError.self) { try await client.inspectContainer(container.id) }
    }

    @Test("a missing container is a 404 with the daemon's message", arguments: versions)
    func missingContainer(apiVersion: String?) async throws {
        let client = try RealEngine.client(apiVersion: apiVersion)
        let error = await #expect(throws: EngineError.self) {
            try await client.inspectContainer("dindlab-no-such-container")
        }
        #expect(error?.isNotFound == true)
        #expect(error?.daemonMessage?.contains("No such container") == true)
    }

    @Test("label filters find only labelled containers")
    func labelFilter() async throws {
        let image = try await TestImages.shared.busyboxImage()
        let client = try RealEngine.client()
        let marker = "filter-\(UUID().uuidString.prefix(8))"
        var config = ContainerConfig(image: image, cmd: ["true"])
        config.labels = ["dindlab.test": marker]
        config.hostConfig = HostConfig()
        config.hostConfig?.networkMode = "none"
        let created = try await client.createContainer(config)
        defer { Task { try? await client.removeContainer(created.id) } }
        let found = try await client.listContainers(all: true, labels: ["dindlab.test=\(marker)"])
        #expect(found.map(\.id) == [created.id])
        try await client.removeContainer(created.id)
        let after = try await client.listContainers(all: true, labels: ["dindlab.test=\(marker)"])
        #expect(after.isEmpty)
    }
}
