import Foundation
import Testing

@testable import DockerEngine

struct EngineAddressTests {
    @Test(
        "valid addresses",
        arguments: [
            ("unix:///var/run/docker.sock", "unix:///var/run/docker.sock"),
            ("tcp://127.0.0.1:2375", "tcp://127.0.0.1:2375"),
            ("tcp://localhost", "tcp://localhost:2375"),
            ("tcp://[::1]:2376", "tcp://[::1]:2376"),
        ])
    func valid(input: String, canonical: String) throws {
        #expect(try EngineAddress(parsing: input).description == canonical)
    }

    @Test(
        "invalid addresses say why",
        arguments: [
            ("http://localhost:2375", "the scheme \"http\" is not supported"),
            ("/var/run/docker.sock", "it has no scheme"),
            ("unix://relative.sock", "absolute socket path"),
            ("tcp://:2375", "needs a host"),
            ("tcp://host:99999", "from 1 to 65535"),
            ("unix:///" + String(repeating: "a", count: 120), "at most 107"),
        ])
    func invalid(input: String, reason: String) {
        let error = #expect(throws: EngineError.self) { try EngineAddress(parsing: input) }
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
    }

    @Test("resolution order: explicit, DOCKER_HOST, default socket")
    func resolution() throws {
        let configuration = try EngineConfiguration.resolve(environment: ["DOCKER_HOST": "tcp://127.0.0.1:1234"])
        #expect(
            try EngineAddress.resolve(explicit: "unix:///a.sock", configuration: configuration).description
                == "unix:///a.sock")
        #expect(
            try EngineAddress.resolve(explicit: nil, configuration: configuration).description == "tcp://127.0.0.1:1234"
        )
        #expect(
            try EngineAddress.resolve(explicit: nil, configuration: EngineConfiguration.resolve(environment: [:]))
                .description == "unix:///var/run/docker.sock")
    }

    @Test("TLS comes from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH")
    func tls() throws {
        let configuration = try EngineConfiguration.resolve(
            environment: ["DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/certs"],
            fileExists: { $0.hasPrefix("/certs/") })
        let address = try EngineAddress.resolve(explicit: "tcp://127.0.0.1", configuration: configuration)
        #expect(address.tls?.caCertificatePath == "/certs/ca.pem")
        #expect(address.tls?.verifyPeer == true)
        #expect(address.description == "tcp://127.0.0.1:2376")
        #expect(!address.isUnencryptedTCP)
        #expect(try EngineAddress(parsing: "tcp://127.0.0.1:2375").isUnencryptedTCP)
    }

    @Test(
        "API versions parse and order",
        arguments: [("1.19", true), ("v1.41", true), ("1.x", false), ("141", false), ("", false)])
    func apiVersions(text: String, valid: Bool) {
        #expect((APIVersion(text) != nil) == valid)
    }

    @Test(
        "error bodies: plain text before API 1.24, JSON after",
        arguments: [
            ("client version 1.19 is too old", "text/plain; charset=utf-8", "1.19", "client version 1.19 is too old"),
            (#"{"message":"No such container: x"}"#, "application/json", "1.41", "No such container: x"),
            ("No such container: x\n", "text/plain", "1.21", "No such container: x"),
        ])
    func errorBodies(body: String, contentType: String, version: String, expected: String) {
        #expect(
            EngineClient.daemonMessage(in: Data(body.utf8), contentType: contentType, apiVersion: APIVersion(version))
                == expected)
    }

    @Test(
        "version refusals are recognised in the daemon's wording",
        arguments: [
            (
                "client version 1.19 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version",
                true
            ),
            ("client version 1.52 is too new. Maximum supported API version is 1.45", true),
            ("client is newer than server (client API version: 1.22, server API version: 1.21)", true),
            ("No such container: x", false),
        ])
    func refusals(message: String, refused: Bool) {
        #expect(EngineClient.isVersionRefusal(status: 400, message: message) == refused)
    }
}
