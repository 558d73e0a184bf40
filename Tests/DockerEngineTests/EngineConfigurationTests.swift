import Foundation
import Testing

@testable import DockerEngine

/// `EngineConfiguration`: the one place DOCKER_* variables are read, and how it refuses a bad one.
struct EngineConfigurationTests {
    struct BadValue: CustomTestStringConvertible, Sendable {
        var environment: [String: String]
        var apiVersionFlag: String?
        /// Every one of these must be in the message.
        var says: [String]
        var testDescription: String { says[0] + " " + says[1] }
    }

    @Test(
        "A bad value is refused at once, in a sentence that names the variable and its value",
        arguments: [
            BadValue(
                environment: ["DOCKER_API_VERSION": "latest"], says: ["DOCKER_API_VERSION", "\"latest\"", "1.41"]),
            BadValue(environment: ["DOCKER_API_VERSION": "1.4l"], says: ["DOCKER_API_VERSION", "\"1.4l\"", "1.41"]),
            BadValue(environment: [:], apiVersionFlag: "one", says: ["API version", "\"one\"", "1.41"]),
            BadValue(
                environment: ["DOCKER_HOST": "ssh://builder@ci"],
                says: ["DOCKER_HOST", "\"ssh://builder@ci\"", "the scheme \"ssh\" is not supported", "tcp://host:port"]),
            BadValue(
                environment: ["DOCKER_HOST": "/var/run/docker.sock"],
                says: ["DOCKER_HOST", "\"/var/run/docker.sock\"", "it has no scheme"]),
            BadValue(
                environment: ["DOCKER_HOST": "tcp://host:99999"],
                says: ["DOCKER_HOST", "\"tcp://host:99999\"", "from 1 to 65535"]),
            BadValue(
                environment: ["DOCKER_TLS_VERIFY": "1", "HOME": "/nonexistent-home"],
                says: ["DOCKER_TLS_VERIFY", "\"1\"", "/nonexistent-home/.docker/ca.pem", "DOCKER_CERT_PATH is unset"]),
            BadValue(
                environment: ["DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/nonexistent-certs"],
                says: ["DOCKER_CERT_PATH", "\"/nonexistent-certs\"", "/nonexistent-certs/key.pem"]),
        ])
    func refused(_ bad: BadValue) {
        let error = #expect(throws: EngineError.self) {
            try EngineConfiguration.resolve(apiVersion: bad.apiVersionFlag, environment: bad.environment)
        }
        let description = error?.description ?? ""
        for part in bad.says { #expect(description.contains(part), "\(description)") }
        #expect(error?.isInvalidInput == true)
        #expect(!description.contains("--"), "the client names no option of the command line: \(description)")
    }

    @Test("A given API version wins over DOCKER_API_VERSION; DOCKER_HOST gets the TLS settings")
    func resolved() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dindlab-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in ["ca.pem", "cert.pem", "key.pem"] {
            try Data().write(to: folder.appendingPathComponent(file))
        }
        let environment = [
            "DOCKER_HOST": "tcp://10.0.0.1", "DOCKER_API_VERSION": "1.41", "DOCKER_TLS_VERIFY": "1",
            "DOCKER_CERT_PATH": folder.path,
        ]
        let configuration = try EngineConfiguration.resolve(apiVersion: "1.24", environment: environment)
        #expect(configuration.apiVersion == APIVersion(1, 24))
        #expect(configuration.host?.description == "tcp://10.0.0.1:2376")
        #expect(configuration.host?.tls?.keyPath == folder.path + "/key.pem")
        #expect(try EngineConfiguration.resolve(environment: environment).apiVersion == APIVersion(1, 41))
        let plain = try EngineConfiguration.resolve(environment: ["DOCKER_HOST": "", "DOCKER_API_VERSION": ""])
        #expect(plain == EngineConfiguration())
    }

    /// The sources of every target, read as text: DOCKER_HOST, DOCKER_API_VERSION,
    /// DOCKER_TLS_VERIFY and DOCKER_CERT_PATH are spelled as string literals only in
    /// EngineConfiguration.swift, so no other code can read them from the environment.
    @Test("DOCKER_* variables are read in exactly one place")
    func readInOnePlace() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../Sources"
        ).standardizedFileURL
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }
            .filter { $0.pathExtension == "swift" }
        #expect(files.count > 50, "the sources were not found at \(sources.path)")
        var readers: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for variable in EngineConfiguration.environmentVariables where text.contains("\"\(variable)\"") {
                readers.append("\(file.lastPathComponent): \(variable)")
            }
        }
        // A scenario's outer.env sets DOCKER_HOST for the inner docker CLI in the outer container,
        // not for dindlab: the loader checks it against the inner daemon's -H, and reads no environment.
        readers.removeAll { $0 == "ScenarioCombinations.swift: DOCKER_HOST" }
        #expect(Set(readers.map { $0.components(separatedBy: ":")[0] }) == ["EngineConfiguration.swift"], "\(readers)")
    }
}
