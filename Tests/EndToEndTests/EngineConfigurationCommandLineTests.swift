import Foundation
import Testing

/// A bad DOCKER_* value, through the built executable: every command refuses it the same way
/// (one sentence naming the variable and its value, status 64), before it does anything else,
/// whether it talks to an engine or not. No engine is needed: nothing is sent.
@Suite(.enabled(if: CommandLine.binaryExists, "the dindlab executable is not built (swift build)"))
struct EngineConfigurationCommandLineTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        .standardized
    static let scenario = "Scenarios/smoke.yaml"

    /// The commands that take an engine, each as a user would type it.
    static let commands: [[String]] = [
        ["run", scenario],
        ["run", scenario, "--engine", "unix:///tmp/dindlab-unused.sock"],
        ["plan", scenario, "--engine", "unix:///tmp/dindlab-unused.sock"],
        ["validate", scenario, "--engine", "unix:///tmp/dindlab-unused.sock"],
        ["repro", scenario],
        ["images", "list"],
        ["images", "build", "bookworm"],
        ["fingerprint", "diff", "--engine", "a=unix:///tmp/a.sock", "--engine", "b=unix:///tmp/b.sock"],
        ["engine", "ping"],
        ["engine", "info"],
        ["gc"],
    ]

    /// Every other command: those that read files only and those that manage private engines by
    /// name or folder. Their arguments name nothing that exists, so a command that went past the
    /// check would fail without doing anything.
    static let commandsWithoutEngine: [[String]] = [
        ["validate", scenario],
        ["plan", scenario],
        ["report", "/tmp/dindlab-no-run"],
        ["merge", "/tmp/dindlab-no-run-a", "/tmp/dindlab-no-run-b", "--out", "/tmp/dindlab-no-merge"],
        ["compare", "/tmp/dindlab-no-run-a", "/tmp/dindlab-no-run-b"],
        ["history", "/tmp/dindlab-no-run"],
        ["engine", "up", "--dir", "/tmp/dindlab-no-engine", "--binary", "/nonexistent/dockerd"],
        ["engine", "down", "--dir", "/tmp/dindlab-no-engine"],
        ["engine", "status", "--dir", "/tmp/dindlab-no-engine"],
        ["engine", "list"],
        ["engine", "env", "--dir", "/tmp/dindlab-no-engine"],
    ]

    /// Every subcommand dindlab has, as a user would type it.
    static let everyCommand = commands + commandsWithoutEngine

    struct BadEnvironment: CustomTestStringConvertible, Sendable {
        var environment: [String: String]
        /// The whole of standard error every command must print.
        var stderr: String
        var testDescription: String { environment.keys.sorted().joined(separator: ", ") }
    }

    static let badEnvironments = [
        BadEnvironment(
            environment: ["DOCKER_API_VERSION": "latest"],
            stderr:
                "dindlab: The API version \"latest\" in the environment variable DOCKER_API_VERSION is not valid: it must look like 1.41 (this client speaks 1.19 to 1.51). Set DOCKER_API_VERSION to a version such as 1.41, or unset DOCKER_API_VERSION to let dindlab negotiate one (--api-version overrides it).\n"
        ),
        BadEnvironment(
            environment: ["DOCKER_HOST": "ssh://builder@ci"],
            stderr:
                "dindlab: The environment variable DOCKER_HOST is set to \"ssh://builder@ci\", which cannot be used: the scheme \"ssh\" is not supported; an engine address looks like unix:///path/to/docker.sock or tcp://host:port. Correct it or unset it.\n"
        ),
        BadEnvironment(
            environment: ["DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/tmp/dindlab-no-certs"],
            stderr:
                "dindlab: The environment variable DOCKER_CERT_PATH is set to \"/tmp/dindlab-no-certs\", which cannot be used: it names the TLS certificate folder, and /tmp/dindlab-no-certs/ca.pem, /tmp/dindlab-no-certs/cert.pem, /tmp/dindlab-no-certs/key.pem do not exist. Correct it or unset it.\n"
        ),
    ]

    @Test(
        "a bad DOCKER_* value gives the same error, and status 64, from every command",
        arguments: badEnvironments, everyCommand)
    func sameErrorEverywhere(_ bad: BadEnvironment, command: [String]) async throws {
        let result = try await CommandLine.run(command, adding: bad.environment, in: Self.repository)
        #expect(result.status == 64, "dindlab \(command.joined(separator: " ")): \(result.text)")
        #expect(result.stderr == bad.stderr, "dindlab \(command.joined(separator: " "))")
        #expect(result.stdout.isEmpty, "dindlab \(command.joined(separator: " ")): \(result.stdout)")
    }

    @Test("the table above holds every subcommand the executable has")
    func tableCoversEveryCommand() async throws {
        let dump = try await CommandLine.run(["--experimental-dump-help"])
        let tool = try JSONDecoder().decode(ToolInfo.self, from: Data(dump.stdout.utf8))
        var leaves: [[String]] = []
        var pending: [(command: ToolInfo.Command, path: [String])] = [(tool.command, [])]
        while let (command, path) = pending.popLast() {
            let children = (command.subcommands ?? []).filter { $0.commandName != "help" }
            if children.isEmpty { leaves.append(path) }
            pending += children.map { ($0, path + [$0.commandName]) }
        }
        #expect(leaves.count >= 19)
        for leaf in leaves {
            #expect(
                Self.everyCommand.contains { Array($0.prefix(leaf.count)) == leaf },
                "dindlab \(leaf.joined(separator: " ")) is not in the table")
        }
    }

    /// The parts of `--experimental-dump-help` (ArgumentParser's JSON of the command tree) read here.
    struct ToolInfo: Decodable {
        struct Command: Decodable {
            var commandName: String
            var subcommands: [Command]?
        }
        var command: Command
    }

    @Test(
        "help and the version print whatever the environment holds",
        arguments: [["--help"], ["--version"], ["help", "run"], ["engine"], ["run", "--help"], ["report", "--help"]])
    func helpDespiteBadEnvironment(_ arguments: [String]) async throws {
        let result = try await CommandLine.run(arguments, adding: ["DOCKER_API_VERSION": "latest"])
        #expect(result.status == 0, "dindlab \(arguments.joined(separator: " ")): \(result.text)")
        #expect(!result.stdout.isEmpty && !result.text.contains(#"The API version "latest""#))
    }

    @Test("--api-version wins over a bad DOCKER_API_VERSION in the check every command starts with")
    func flagWinsOverEnvironment() async throws {
        for command in [
            ["validate", Self.scenario, "--engine", "unix:///tmp/dindlab-unused.sock"],
            ["engine", "ping", "--engine", "unix:///tmp/dindlab-unused.sock", "--count", "1"],
        ] {
            let result = try await CommandLine.run(
                command + ["--api-version", "1.41"], adding: ["DOCKER_API_VERSION": "latest"], in: Self.repository)
            #expect(
                !result.stderr.contains("DOCKER_API_VERSION"),
                "dindlab \(command.joined(separator: " ")): \(result.text)")
            #expect(result.status != 64, "dindlab \(command.joined(separator: " ")): \(result.text)")
        }
    }

    @Test("--api-version that is no version: the same error from every command, with the option's advice")
    func badFlag() async throws {
        let expected =
            "dindlab: The API version \"one\" is not valid: it must look like 1.41 (this client speaks 1.19 to 1.51). Pass an API version the daemon supports (--api-version or DOCKER_API_VERSION), or unset DOCKER_API_VERSION and leave out --api-version to let dindlab negotiate one.\n"
        for command in Self.commands {
            let result = try await CommandLine.run(command + ["--api-version", "one"], in: Self.repository)
            #expect(result.status == 64, "dindlab \(command.joined(separator: " ")): \(result.text)")
            #expect(result.stderr == expected, "dindlab \(command.joined(separator: " "))")
        }
    }
}
