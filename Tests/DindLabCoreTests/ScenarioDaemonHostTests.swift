import Testing

@testable import DindLabCore

@Suite("Scenario: an inner daemon the inner docker CLI can reach")
struct ScenarioDaemonHostTests {
    private static func load(_ body: String) throws(YAMLErrors) -> Scenario {
        try ScenarioLoader.load(yaml: "version: 1\nname: h\nouter:\n  image: x\n" + body, file: "h.yaml")
    }

    /// (YAML after `image: x`, the line of the error, text the error contains)
    @Test(
        "a daemon that listens only elsewhere needs outer.env's DOCKER_HOST, in the file and in every matrix combination",
        arguments: [
            (
                "daemon:\n  command: [dockerd, -H, 'tcp://127.0.0.1:2375']\n", 6,
                "the inner daemon listens only on tcp://127.0.0.1:2375 (its -H)"
            ),
            (
                "daemon:\n  command: [dockerd, '--host=unix:///run/inner.sock', --debug]\n", 6,
                "add outer.env: {DOCKER_HOST: 'unix:///run/inner.sock'}"
            ),
            (
                "daemon:\n  command: [docker, -d, -H=tcp://127.0.0.1:2375, --host, tcp://127.0.0.1:2376]\n", 6,
                "listens only on tcp://127.0.0.1:2375 and tcp://127.0.0.1:2376"
            ),
            (
                "matrix:\n  daemon.command: [[dockerd], [dockerd, -H, 'tcp://127.0.0.1:2375']]\n", 6,
                "matrix.daemon.command[1]: [dockerd, -H, tcp://127.0.0.1:2375] cannot go with outer.env.DOCKER_HOST: (unset)"
            ),
        ])
    func unreachable(body: String, line: Int, text: String) {
        let error = #expect(throws: YAMLErrors.self) { try Self.load(body) }
        let description = error?.description ?? ""
        #expect(description.contains("h.yaml:\(line):"), "\(description)")
        #expect(description.contains(text), "\(description)")
        #expect(description.contains("looks for /var/run/docker.sock and never reaches it"), "\(description)")
    }

    @Test(
        "a daemon the inner CLI reaches loads: the default socket among its -H, or DOCKER_HOST set",
        arguments: [
            "daemon:\n  command: [dockerd]\n",
            "daemon:\n  command: [dockerd, -H, 'unix:///var/run/docker.sock', -H, 'tcp://127.0.0.1:2375']\n",
            "daemon:\n  command: [docker, -d, -H, 'unix://', -H, 'tcp://127.0.0.1:2375']\n",
            "daemon:\n  command: [dockerd, '--host=unix:///run/docker.sock']\n",
            "  env: {DOCKER_HOST: 'tcp://127.0.0.1:2375'}\ndaemon:\n  command: [dockerd, -H, 'tcp://127.0.0.1:2375']\n",
            "daemon:\n  command: [dockerd, -H, 'tcp://127.0.0.1:2375']\nmatrix:\n  outer.env.DOCKER_HOST: ['tcp://127.0.0.1:2375']\n",
            // A shell that starts the daemon is not read: dindlab cannot tell where it listens.
            "daemon:\n  command: [sh, -c, 'exec dockerd -H tcp://127.0.0.1:2375']\n",
        ])
    func reachable(body: String) throws {
        #expect(try !Self.load(body).cells().isEmpty)
    }

    @Test(
        "the -H addresses of a daemon command, in every spelling the daemons take",
        arguments: [
            ([String](["dockerd", "--debug"]), [String]()),
            (["dockerd", "-H", "tcp://a:1", "--host", "unix:///b"], ["tcp://a:1", "unix:///b"]),
            (["docker", "daemon", "-H=tcp://a:1", "--host=fd://"], ["tcp://a:1", "fd://"]),
            (["dockerd", "-H"], []),
        ])
    func hosts(command: [String], expected: [String]) {
        #expect(ScenarioCombinations.daemonHosts(in: command) == expected)
    }
}
