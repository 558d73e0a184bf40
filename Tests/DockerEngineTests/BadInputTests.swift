import DockerEngine
import FakeEngine
import Foundation
import Testing

/// Input the client cannot work with gets an error that says what is wrong and what to do.
@Suite("BadInput", .timeLimit(.minutes(1)))
struct BadInputTests {
    struct AddressCase: Sendable, CustomTestStringConvertible {
        var address: String
        /// What the error must say is wrong.
        var reason: String
        var testDescription: String { address }
    }

    @Test(
        "An address that is neither unix:// nor tcp:// is refused with the forms that work",
        arguments: [
            AddressCase(address: "http://localhost:2375", reason: "the scheme \"http\" is not supported"),
            AddressCase(address: "ssh://builder@ci.example.org", reason: "the scheme \"ssh\" is not supported"),
            AddressCase(address: "npipe:////./pipe/docker_engine", reason: "the scheme \"npipe\" is not supported"),
            AddressCase(address: "/var/run/docker.sock", reason: "it has no scheme"),
        ], [false, true])
    func unsupportedAddress(_ testCase: AddressCase, viaEnvironment: Bool) {
        let address = testCase.address
        let error = #expect(throws: EngineError.self) {
            if viaEnvironment {
                _ = try EngineClient(explicitAddress: nil, environment: ["DOCKER_HOST": address])
            } else {
                _ = try EngineClient(explicitAddress: address, environment: [:])
            }
        }
        let description = error?.description ?? ""
        #expect(description.contains("\"\(address)\""), "\(description)")
        #expect(description.contains(testCase.reason), "\(description)")
        #expect(description.contains("unix:///path/to/docker.sock or tcp://host:port"), "\(description)")
    }

    @Test("A socket that does not exist is socketMissing, whose remedy is to start or select an engine")
    func socketMissing() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("docker.sock").path
            let client = try EngineClient(explicitAddress: "unix://" + path, environment: [:], timeout: .seconds(5))
            for call in [{ _ = try await client.ping() }, { _ = try await client.info() }]
                as [@Sendable () async throws -> Void]
            {
                let error = await #expect(throws: EngineError.self) { try await call() }
                #expect(error == .socketMissing(path))
                #expect(error?.isTransport == true)
                let description = error?.description ?? ""
                #expect(description.contains(path), "\(description)")
                #expect(
                    !description.contains("engine up") && !description.contains("--engine"),
                    "the client does not speak the command line: \(description)")
                #expect(error?.remedy == .startOrSelectEngine(variable: nil))
            }
        }
    }

    @Test("An API version that is not one is refused as an API version", arguments: [false, true])
    func malformedAPIVersion(viaEnvironment: Bool) {
        let error = #expect(throws: EngineError.self) {
            if viaEnvironment {
                _ = try EngineClient(
                    explicitAddress: "unix:///var/run/docker.sock", environment: ["DOCKER_API_VERSION": "latest"])
            } else {
                _ = try EngineClient(
                    explicitAddress: "unix:///var/run/docker.sock", apiVersion: "latest", environment: [:])
            }
        }
        let description = error?.description ?? ""
        #expect(description.contains("API version \"latest\""), "\(description)")
        #expect(description.contains("1.41"), "\(description)")
        #expect(!description.contains("address"), "\(description)")
    }
}
