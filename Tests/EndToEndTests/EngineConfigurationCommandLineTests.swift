import Foundation
import Testing

/// A bad DOCKER_* value, through the built executable: every command that talks to an engine
/// refuses it the same way (one sentence naming the variable and its value, status 64),
/// before it does anything else. No engine is needed: nothing is sent.
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

    @Test("a bad DOCKER_* value gives the same error, and status 64, from every command", arguments: badEnvironments)
    func sameErrorEverywhere(_ bad: BadEnvironment) async throws {
        for command in Self.commands {
            let result = try await CommandLine.run(command, adding: bad.environment, in: Self.repository)
            #expect(result.status == 64, "dindlab \(command.joined(separator: " ")): \(result.text)")
            #expect(result.stderr == bad.stderr, "dindlab \(command.joined(separator: " "))")
            #expect(result.stdout.isEmpty, "dindlab \(command.joined(separator: " ")): \(result.stdout)")
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
