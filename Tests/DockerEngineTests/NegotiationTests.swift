import DockerEngine
import FakeEngine
import Foundation
import Testing

/// API version negotiation and pinning, against daemons from Docker 1.7 to today.
@Suite("Negotiation", .timeLimit(.minutes(1)))
struct NegotiationTests {
    /// A daemon newer than every version the client knows.
    static let future = DaemonPersona(version: "99.0.0", apiVersion: "1.60", minAPIVersion: "1.24")
    /// Docker 1.6: older than the oldest API the client speaks.
    static let docker1dot6 = DaemonPersona(version: "1.6.2", apiVersion: "1.18", minAPIVersion: "1.12")

    struct NegotiationCase: Sendable, CustomTestStringConvertible {
        var persona: DaemonPersona
        var negotiated: String
        var testDescription: String { "\(persona) negotiates \(negotiated)" }
    }

    @Test(
        "The first call negotiates min(daemon API, 1.51); every later request is pinned to it",
        arguments: [
            NegotiationCase(persona: .docker1dot7, negotiated: "1.19"),
            NegotiationCase(persona: .docker1dot9, negotiated: "1.21"),
            NegotiationCase(persona: .docker20dot10, negotiated: "1.41"),
            NegotiationCase(persona: .docker26, negotiated: "1.45"),
            NegotiationCase(persona: future, negotiated: "1.51"),
        ])
    func negotiates(_ testCase: NegotiationCase) async throws {
        try await withClient(testCase.persona) { engine, client in
            #expect(client.apiVersion == nil)
            _ = try await client.info()
            #expect(client.apiVersion?.description == testCase.negotiated)
            #expect(client.negotiatedEngineVersion?.version == testCase.persona.version)
            #expect(engine.requests.map(\.path) == ["/_ping", "/version", "/v\(testCase.negotiated)/info"])

            engine.clearRequests()
            _ = try await client.version()
            _ = try await client.listContainers(labels: ["dindlab.run=r1"])
            _ = try await client.inspectImage("busybox")
            #expect(try await client.negotiate().description == testCase.negotiated)
            let paths = engine.requests.map(\.path)
            #expect(paths.count == 3, "negotiation happens once per client: \(paths)")
            for path in paths {
                #expect(path.hasPrefix("/v\(testCase.negotiated)/"), "\(path)")
            }
        }
    }

    @Test("A daemon older than API 1.19 is refused with a sentence that names both versions")
    func daemonTooOld() async throws {
        try await withClient(Self.docker1dot6) { _, client in
            let error = await #expect(throws: EngineError.self) { try await client.info() }
            let description = error?.description ?? ""
            #expect(description.contains("1.18"), "\(description)")
            #expect(description.contains("1.19"), "\(description)")
            #expect(client.apiVersion == nil)
        }
    }

    struct PinnedCase: Sendable, CustomTestStringConvertible {
        var persona: DaemonPersona
        var pinned: String
        /// DOCKER_HOST and DOCKER_API_VERSION rather than explicit arguments.
        var viaEnvironment: Bool
        var testDescription: String {
            "\(pinned) \(viaEnvironment ? "from DOCKER_API_VERSION" : "explicit") on \(persona)"
        }

        func makeClient(_ engine: FakeEngine) throws -> EngineClient {
            if viaEnvironment {
                return try EngineClient(
                    explicitAddress: nil, environment: ["DOCKER_HOST": engine.address, "DOCKER_API_VERSION": pinned])
            }
            return try EngineClient(explicitAddress: engine.address, apiVersion: pinned, environment: [:])
        }
    }

    @Test(
        "A pinned version is used as given, without negotiating",
        arguments: [
            PinnedCase(persona: .docker26, pinned: "1.24", viaEnvironment: false),
            PinnedCase(persona: .docker26, pinned: "1.45", viaEnvironment: true),
            PinnedCase(persona: .docker20dot10, pinned: "1.19", viaEnvironment: true),
            PinnedCase(persona: .docker20dot10, pinned: "1.30", viaEnvironment: false),
            PinnedCase(persona: .docker1dot9, pinned: "1.19", viaEnvironment: false),
            PinnedCase(persona: .docker1dot7, pinned: "1.19", viaEnvironment: true),
        ])
    func pinned(_ testCase: PinnedCase) async throws {
        try await FakeEngine.withRunning(testCase.persona) { engine in
            let client = try testCase.makeClient(engine)
            #expect(client.apiVersion?.description == testCase.pinned)
            _ = try await client.info()
            _ = try await client.listContainers()
            #expect(try await client.negotiate().description == testCase.pinned)
            let paths = engine.requests.map(\.path)
            #expect(!paths.isEmpty)
            for path in paths {
                #expect(path.hasPrefix("/v\(testCase.pinned)/"), "\(path)")
            }
        }
    }

    @Test("An explicit address and version win over DOCKER_HOST and DOCKER_API_VERSION")
    func explicitWins() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let environment = ["DOCKER_HOST": "unix:///nonexistent/docker.sock", "DOCKER_API_VERSION": "1.30"]
            let client = try EngineClient(explicitAddress: engine.address, apiVersion: "1.41", environment: environment)
            _ = try await client.version()
            #expect(engine.requests.map(\.path) == ["/v1.41/version", "/v1.41/version"])
        }
    }

    struct RefusalCase: Sendable, CustomTestStringConvertible {
        var pinnedCase: PinnedCase
        var daemonMessage: String
        var testDescription: String { pinnedCase.testDescription }

        init(_ persona: DaemonPersona, _ pinned: String, viaEnvironment: Bool, _ daemonMessage: String) {
            pinnedCase = PinnedCase(persona: persona, pinned: pinned, viaEnvironment: viaEnvironment)
            self.daemonMessage = daemonMessage
        }
    }

    @Test(
        "A pinned version the daemon refuses is apiVersionRefused, in the daemon's words, with the remedy as a fact",
        arguments: [
            RefusalCase(
                .docker26, "1.19", viaEnvironment: true,
                "client version 1.19 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version"
            ),
            RefusalCase(
                .docker26, "1.51", viaEnvironment: false,
                "client version 1.51 is too new. Maximum supported API version is 1.45"),
            RefusalCase(
                .docker20dot10, "1.44", viaEnvironment: true,
                "client version 1.44 is too new. Maximum supported API version is 1.41"),
            RefusalCase(
                .docker1dot9, "1.45", viaEnvironment: false,
                "client is newer than server (client API version: 1.45, server API version: 1.21)"),
            RefusalCase(
                .docker1dot7, "1.21", viaEnvironment: true,
                "client is newer than server (client API version: 1.21, server API version: 1.19)"),
        ])
    func refused(_ testCase: RefusalCase) async throws {
        try await FakeEngine.withRunning(testCase.pinnedCase.persona) { engine in
            let client = try testCase.pinnedCase.makeClient(engine)
            let error = await #expect(throws: EngineError.self) { try await client.listContainers() }
            #expect(
                error
                    == .apiVersionRefused(requested: testCase.pinnedCase.pinned, daemonMessage: testCase.daemonMessage))
            #expect(error?.daemonMessage == testCase.daemonMessage)
            let description = error?.description ?? ""
            #expect(description.contains("\"\(testCase.daemonMessage)\""), "\(description)")
            // What to do is said by the program that knows its own options (dindlab's hint).
            #expect(error?.remedy == .chooseAPIVersion(variable: nil))
            // The refusal came from the version check, before the call itself was sent.
            #expect(engine.requests.map(\.pathWithoutQuery) == ["/v\(testCase.pinnedCase.pinned)/version"])
        }
    }
}
