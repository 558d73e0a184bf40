import DindLab
import Testing

@Suite("Image Docker versions and era facts")
struct ImageDockerVersionTests {
    @Test("parses what every era's `--version` prints", arguments: [
        ("Docker version 1.7.1, build 786b29d", "1.7.1"),
        ("Docker version 1.9.1, build a34a1d5\n", "1.9.1"),
        ("Docker version 17.03.2-ce, build f5ec1e2", "17.03.2-ce"),
        ("Docker version 20.10.24+dfsg1, build 297e128", "20.10.24"),
        ("Docker version 26.1.5+dfsg1, build 411e817", "26.1.5"),
    ])
    func parsesVersionOutput(output: String, expected: String) throws {
        let version = try #require(DockerVersion(versionOutput: output))
        #expect(version.description == expected)
    }

    @Test("rejects output without a version", arguments: ["", "docker: command not found", "Docker version , build x", "Docker version abc"])
    func rejectsGarbage(output: String) {
        #expect(DockerVersion(versionOutput: output) == nil)
    }

    @Test("orders by numbers, not text")
    func ordering() throws {
        let versions = try ["1.10.0", "1.9.1", "17.03.2-ce", "1.12.6", "20.10.5"].map { try #require(DockerVersion($0)) }
        #expect(versions.sorted().map(\.description) == ["1.9.1", "1.10.0", "1.12.6", "17.03.2-ce", "20.10.5"])
    }

    @Test("API version by release line", arguments: [
        ("1.7.1", "1.19"), ("1.8.3", "1.20"), ("1.9.1", "1.21"), ("1.10.3", "1.22"), ("1.11.2", "1.23"),
        ("1.12.6", "1.24"), ("1.13.1", "1.25"), ("17.03.2-ce", "1.26"), ("18.09.9", "1.39"),
        ("20.10.5", "1.41"), ("20.10.24", "1.41"), ("23.0.6", "1.42"), ("24.0.9", "1.43"),
        ("25.0.5", "1.44"), ("26.0.2", "1.45"), ("26.1.5", "1.45"), ("27.1.0", "1.46"),
        ("27.5.1", "1.47"), ("28.0.4", "1.48"), ("28.2.2", "1.50"), ("28.5.1", "1.51"),
        // A release line newer than the table serves at least the newest API the table knows.
        ("29.0.0", "1.51"),
    ])
    func apiVersions(version: String, api: String) throws {
        #expect(DockerReleaseFacts.apiVersion(for: try #require(DockerVersion(version))) == api)
    }

    @Test("no API version before Docker 1.7")
    func tooOld() throws {
        #expect(DockerReleaseFacts.apiVersion(for: try #require(DockerVersion("1.6.2"))) == nil)
    }

    @Test("daemon command by era", arguments: [
        ("1.6.2", ["docker", "-d"]), ("1.7.1", ["docker", "-d"]), ("1.8.0", ["docker", "daemon"]),
        ("1.9.1", ["docker", "daemon"]), ("1.11.2", ["docker", "daemon"]), ("1.12.0", ["dockerd"]),
        ("20.10.24", ["dockerd"]),
    ])
    func daemonCommands(version: String, command: [String]) throws {
        #expect(DockerReleaseFacts.daemonCommand(for: try #require(DockerVersion(version))) == command)
    }
}
