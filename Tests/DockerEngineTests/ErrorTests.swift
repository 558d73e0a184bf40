import DockerEngine
import FakeEngine
import Foundation
import Testing

/// Error answers: the daemon's message out of a plain-text (before API 1.24) or JSON body,
/// and a description that names method, path, status and that message.
@Suite("Errors", .timeLimit(.minutes(1)))
struct ErrorTests {
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var persona: DaemonPersona
        /// A version to pin, else negotiated.
        var pinned: String?
        /// How the daemon writes error bodies at that version: the row's label.
        var bodies: String
        var testDescription: String { "\(persona) at \(pinned ?? "negotiated"), \(bodies) error bodies" }

        var apiVersion: String { pinned ?? persona.apiVersion }

        func makeClient(_ engine: FakeEngine) throws -> EngineClient {
            try EngineClient(explicitAddress: engine.address, apiVersion: pinned, environment: [:])
        }
    }

    static let cases = [
        ErrorCase(persona: .docker1dot7, bodies: "plain text"),
        ErrorCase(persona: .docker1dot9, bodies: "plain text"),
        ErrorCase(persona: .docker20dot10, pinned: "1.23", bodies: "plain text"),
        ErrorCase(persona: .docker20dot10, pinned: "1.24", bodies: "JSON"),
        ErrorCase(persona: .docker20dot10, bodies: "JSON"),
        ErrorCase(persona: .docker26, bodies: "JSON"),
    ]

    /// Checks what every error answer must say.
    static func expectDescribes(_ error: EngineError?, method: String, path: String, status: Int, message: String) {
        let description = error?.description ?? ""
        #expect(error?.status == status)
        #expect(error?.daemonMessage == message)
        #expect(description.contains("\(method) \(path) "), "\(description)")
        #expect(description.contains("HTTP \(status)"), "\(description)")
        #expect(description.contains("\"\(message)\""), "\(description)")
    }

    @Test("404 is isNotFound, with the daemon's own message", arguments: cases)
    func notFound(_ testCase: ErrorCase) async throws {
        try await FakeEngine.withRunning(testCase.persona) { engine in
            let client = try testCase.makeClient(engine)
            let error = await #expect(throws: EngineError.self) { try await client.inspectContainer("no-such-box") }
            #expect(error?.isNotFound == true)
            Self.expectDescribes(
                error, method: "GET", path: "/v\(testCase.apiVersion)/containers/no-such-box/json",
                status: 404, message: "No such container: no-such-box")
            // The convenience that maps 404 to nil sees the same answer.
            #expect(try await client.inspectImage("no-such-image") == nil)
        }
    }

    @Test("A POST's error names the method and path: creating from a missing image", arguments: cases)
    func missingImage(_ testCase: ErrorCase) async throws {
        try await FakeEngine.withRunning(testCase.persona) { engine in
            let client = try testCase.makeClient(engine)
            let error = await #expect(throws: EngineError.self) {
                try await client.createContainer(ContainerConfig(image: "dindlab/missing", cmd: ["true"]), name: "box")
            }
            #expect(error?.isNotFound == true)
            Self.expectDescribes(
                error, method: "POST", path: "/v\(testCase.apiVersion)/containers/create?name=box",
                status: 404, message: "No such image: dindlab/missing")
        }
    }

    @Test("A conflict (409) keeps the daemon's message", arguments: cases)
    func conflict(_ testCase: ErrorCase) async throws {
        try await FakeEngine.withRunning(testCase.persona) { engine in
            engine.script()
            let client = try testCase.makeClient(engine)
            let id = try await client.runContainer()
            _ = try await client.top(id)
            try await client.killContainer(id)
            let conflict = await #expect(throws: EngineError.self) { try await client.top(id) }
            #expect(conflict?.isNotFound == false)
            Self.expectDescribes(
                conflict, method: "GET", path: "/v\(testCase.apiVersion)/containers/\(id)/top",
                status: 409, message: "Container \(id) is not running")
        }
    }

    @Test("A server error carries the daemon's message, whatever its era", arguments: cases)
    func serverError(_ testCase: ErrorCase) async throws {
        try await FakeEngine.withRunning(testCase.persona) { engine in
            let message =
                "devmapper: Thin Pool has 0 free data blocks which is less than minimum required 163840 free data blocks"
            engine.setFault(.status(500, message), forPathContaining: "/info")
            let client = try testCase.makeClient(engine)
            let error = await #expect(throws: EngineError.self) { try await client.info() }
            #expect(error?.isNotFound == false)
            #expect(error?.isTransport == false)
            Self.expectDescribes(
                error, method: "GET", path: "/v\(testCase.apiVersion)/info", status: 500, message: message)
        }
    }
}
