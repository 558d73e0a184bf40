import Foundation
import Glibc
import Testing

@testable import FakeEngine

/// Checks the fake engine itself, byte for byte, with a deliberately tiny HTTP client
/// (the real client lives in DockerEngine and is tested against the fake elsewhere).
@Suite("FakeEngineSelfTests")
struct FakeEngineSelfTests {
    // MARK: Ping and versions

    @Test("GET /_ping answers OK; only daemons with API >= 1.25 send Api-Version", arguments: DaemonPersona.all)
    func ping(persona: DaemonPersona) async throws {
        try await FakeEngine.withRunning(persona) { engine in
            let response = try RawClient(engine).request("GET", "/_ping")
            #expect(response.status == 200)
            #expect(response.text == "OK")
            let sendsHeader = [DaemonPersona.docker20dot10, .docker26].contains(persona)
            #expect(response.headers["api-version"] == (sendsHeader ? persona.apiVersion : nil))
            #expect(response.headers["docker-experimental"] == (sendsHeader ? "false" : nil))
            #expect(response.headers["server"] == "Docker/\(persona.version) (linux)")
        }
    }

    @Test(
        "HEAD /_ping exists only on daemons with API >= 1.40",
        arguments: [
            (DaemonPersona.docker26, 200), (.docker20dot10, 200), (.docker1dot9, 404), (.docker1dot7, 404),
        ])
    func headPing(persona: DaemonPersona, status: Int) async throws {
        try await FakeEngine.withRunning(persona) { engine in
            let client = try RawClient(engine)
            let response = try client.request("HEAD", "/_ping")
            #expect(response.status == status)
            #expect(response.body.isEmpty)
            // The connection is still usable: the HEAD answer carried no body bytes.
            #expect(try client.request("GET", "/_ping").text == "OK")
        }
    }

    struct VersionCase: Sendable, CustomTestStringConvertible {
        var persona: DaemonPersona
        var path: String
        var message: String
        var json: Bool
        var testDescription: String { "\(persona.version) \(path)" }
    }

    @Test(
        "Unsupported versions are refused in the wording and format of the daemon's era",
        arguments: [
            VersionCase(
                persona: .docker26, path: "/v1.52/version",
                message: "client version 1.52 is too new. Maximum supported API version is 1.45", json: true),
            VersionCase(
                persona: .docker26, path: "/v1.19/version",
                message:
                    "client version 1.19 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version",
                json: false),
            VersionCase(
                persona: .docker20dot10, path: "/v1.42/_ping",
                message: "client version 1.42 is too new. Maximum supported API version is 1.41", json: true),
            VersionCase(
                persona: .docker1dot9, path: "/v1.22/version",
                message: "client is newer than server (client API version: 1.22, server API version: 1.21)", json: false
            ),
            VersionCase(
                persona: .docker1dot7, path: "/v1.20/containers/json",
                message: "client is newer than server (client API version: 1.20, server API version: 1.19)", json: false
            ),
            VersionCase(
                persona: .docker1dot7, path: "/v1.11/info",
                message:
                    "client is too old, minimum supported API version is 1.12, please upgrade your client to a newer version",
                json: false),
        ])
    func versionErrors(_ testCase: VersionCase) async throws {
        try await FakeEngine.withRunning(testCase.persona) { engine in
            let response = try RawClient(engine).request("GET", testCase.path)
            #expect(response.status == 400)
            if testCase.json {
                #expect(response.headers["content-type"] == "application/json")
                #expect(try response.jsonObject()["message"] as? String == testCase.message)
            } else {
                #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
                #expect(response.text == testCase.message + "\n")
            }
        }
    }

    @Test(
        "Versions within the daemon's range, and unversioned paths, are served",
        arguments: [
            (DaemonPersona.docker26, "/v1.24/version"), (.docker26, "/version"), (.docker20dot10, "/v1.12/version"),
            (.docker1dot7, "/v1.19/version"), (.docker1dot9, "/version"),
        ])
    func supportedVersions(persona: DaemonPersona, path: String) async throws {
        try await FakeEngine.withRunning(persona) { engine in
            let response = try RawClient(engine).request("GET", path)
            #expect(response.status == 200)
            let body = try response.jsonObject()
            #expect(body["ApiVersion"] as? String == persona.apiVersion)
            #expect(
                (body["MinAPIVersion"] as? String)
                    == (persona == .docker1dot7 || persona == .docker1dot9 ? nil : persona.minAPIVersion))
        }
    }

    @Test(
        "Unknown routes answer 404 page not found, as JSON or as gorilla/mux's plain text",
        arguments: [
            (DaemonPersona.docker26, true), (.docker20dot10, true), (.docker1dot9, false), (.docker1dot7, false),
        ])
    func unknownRoute(persona: DaemonPersona, json: Bool) async throws {
        try await FakeEngine.withRunning(persona) { engine in
            let response = try RawClient(engine).request("GET", "/v1.19/no/such/route")
            #expect(response.status == 404)
            if json {
                #expect(try response.jsonObject()["message"] as? String == "page not found")
            } else {
                #expect(response.text == "404 page not found\n")
            }
        }
    }

    // MARK: Connections and bodies

    @Test("Keep-alive: requests on one connection share its id, another connection gets another")
    func connectionReuse() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let first = try RawClient(engine)
            _ = try first.request("GET", "/_ping")
            _ = try first.request("GET", "/version")
            _ = try RawClient(engine).request("GET", "/_ping")
            let ids = engine.requests.map(\.connectionID)
            #expect(ids.count == 3)
            #expect(ids[0] == ids[1])
            #expect(ids[2] != ids[0])
            #expect(engine.requests.map(\.path) == ["/_ping", "/version", "/_ping"])
        }
    }

    @Test("A chunked body sent after Expect: 100-continue is decoded and recorded")
    func chunkedBodyWithExpectContinue() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let client = try RawClient(engine)
            let json = #"{"Image":"busybox","Cmd":["echo","hi"],"Labels":{"dindlab.run":"r1"}}"#
            try client.send(
                "POST /v1.45/containers/create?name=chunky HTTP/1.1\r\nHost: docker\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n")
            let interim = try client.readResponse()
            #expect(interim.status == 100)
            let bytes = Array(json.utf8)
            try client.send(
                "7\r\n" + String(decoding: bytes[0..<7], as: UTF8.self) + "\r\n"
                    + String(bytes.count - 7, radix: 16) + "\r\n" + String(decoding: bytes[7...], as: UTF8.self)
                    + "\r\n0\r\n\r\n")
            let created = try client.readResponse()
            #expect(created.status == 201)
            #expect((try created.jsonObject()["Id"] as? String)?.count == 64)
            let recorded = try #require(engine.requests.last)
            #expect(recorded.body == Data(json.utf8))
            #expect(recorded.header("Transfer-Encoding") == "chunked")
        }
    }

    // MARK: Exec

    struct ExecCase: Sendable, CustomTestStringConvertible {
        var persona: DaemonPersona
        var contentType: String
        var testDescription: String { persona.description }
    }

    @Test(
        "An attached exec start with Upgrade answers 101 and well-formed multiplexed frames",
        arguments: [
            ExecCase(persona: .docker26, contentType: "application/vnd.docker.multiplexed-stream"),
            ExecCase(persona: .docker20dot10, contentType: "application/vnd.docker.raw-stream"),
            ExecCase(persona: .docker1dot9, contentType: "application/vnd.docker.raw-stream"),
        ])
    func execUpgrade(_ testCase: ExecCase) async throws {
        try await FakeEngine.withRunning(testCase.persona) { engine in
            engine.setProgram(Self.program)
            let client = try RawClient(engine)
            let containerID = try Self.startIdleContainer(client)
            let exec = try client.request(
                "POST", "/containers/\(containerID)/exec",
                json: #"{"Cmd":["report"],"AttachStdout":true,"AttachStderr":true}"#)
            #expect(exec.status == 201)
            let execID = try #require(try exec.jsonObject()["Id"] as? String)

            let stream = try RawClient(engine)
            let options = #"{"Detach":false,"Tty":false}"#
            try stream.send(
                "POST /exec/\(execID)/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
                    + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: \(options.utf8.count)\r\n\r\n\(options)"
                    + "stdin the daemon ignores")
            let upgraded = try stream.readResponse()
            #expect(upgraded.statusLine == "HTTP/1.1 101 UPGRADED")
            #expect(upgraded.headers["content-type"] == testCase.contentType)
            #expect(upgraded.headers["connection"] == "Upgrade")
            #expect(upgraded.headers["upgrade"] == "tcp")
            #expect(upgraded.headers["content-length"] == nil)
            let frames = try Self.frames(upgraded.body)
            #expect(frames.map(\.stream) == [1, 2])
            #expect(frames.map(\.text) == ["report out\n", "report err\n"])

            let inspected = try client.request("GET", "/exec/\(execID)/json").jsonObject()
            #expect(inspected["ExitCode"] as? Int == 3)
            #expect(inspected["Running"] as? Bool == false)
        }
    }

    @Test("A TTY exec without Upgrade answers a bare 200 raw stream")
    func execTTYWithoutUpgrade() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let client = try RawClient(engine)
            let containerID = try Self.startIdleContainer(client, program: Self.program, engine: engine)
            let exec = try client.request(
                "POST", "/containers/\(containerID)/exec", json: #"{"Cmd":["echo","hi","there"],"Tty":true}"#)
            let execID = try #require(try exec.jsonObject()["Id"] as? String)
            let stream = try RawClient(engine)
            let response = try stream.request("POST", "/exec/\(execID)/start", json: #"{"Detach":false,"Tty":true}"#)
            #expect(response.statusLine == "HTTP/1.1 200 OK")
            #expect(response.headers["content-type"] == "application/vnd.docker.raw-stream")
            #expect(response.text == "hi there\r\n")
        }
    }

    @Test(
        "Exec inspect reports ExitCode 0 while running before API 1.22 and null after",
        arguments: [
            (DaemonPersona.docker1dot7, true), (.docker1dot9, true), (.docker20dot10, false), (.docker26, false),
        ])
    func execExitCodeWhileRunning(persona: DaemonPersona, zero: Bool) async throws {
        try await FakeEngine.withRunning(persona) { engine in
            let client = try RawClient(engine)
            let containerID = try Self.startIdleContainer(client, program: Self.program, engine: engine)
            let exec = try client.request("POST", "/containers/\(containerID)/exec", json: #"{"Cmd":["sleep"]}"#)
            let execID = try #require(try exec.jsonObject()["Id"] as? String)
            let started = try client.request("POST", "/exec/\(execID)/start", json: #"{"Detach":true}"#)
            #expect(started.status == (persona == .docker1dot7 ? 204 : 200))
            let inspected = try client.request("GET", "/exec/\(execID)/json").jsonObject()
            #expect(inspected["Running"] as? Bool == true)
            if zero {
                #expect(inspected["ExitCode"] as? Int == 0)
            } else {
                #expect(inspected["ExitCode"] is NSNull)
            }
        }
    }

    // MARK: Faults

    @Test(
        "splitWrites delivers the same bytes as an undisturbed answer",
        arguments: ["/version", "/containers/NAME/logs?stdout=1&stderr=1"])
    func splitWrites(path: String) async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let client = try RawClient(engine)
            _ = try Self.startIdleContainer(
                client, program: Self.program, engine: engine, name: "NAME", command: ["report"])
            let whole = try client.request("GET", path)
            engine.setFault(.splitWrites(sizes: [1, 2, 7]), forPathContaining: path)
            let split = try RawClient(engine).request("GET", path)
            #expect(whole.status == 200)
            #expect(split.status == 200)
            #expect(!whole.body.isEmpty)
            #expect(split.body == whole.body)
            #expect(split.headers["content-type"] == whole.headers["content-type"])
        }
    }

    @Test("dropAfter sends the head and that many bytes, then closes")
    func dropAfter() async throws {
        try await FakeEngine.withRunning(.docker20dot10) { engine in
            engine.setFault(.dropAfter(bytes: 10), forPathContaining: "/version")
            let client = try RawClient(engine)
            let head = try client.readHead(after: "GET /version HTTP/1.1\r\nHost: docker\r\n\r\n")
            #expect(head.status == 200)
            let announced = try #require(Int(head.headers["content-length"] ?? ""))
            #expect(announced > 10)
            #expect(client.readToEnd().count == 10)
        }
    }

    @Test("A status fault answers in the persona's error format, once when limited")
    func statusFault() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            engine.setFault(.status(500, "boom"), forPathContaining: "/info", times: 1)
            let client = try RawClient(engine)
            let failed = try client.request("GET", "/v1.45/info")
            #expect(failed.status == 500)
            #expect(try failed.jsonObject()["message"] as? String == "boom")
            #expect(try client.request("GET", "/v1.45/info").status == 200)
        }
    }

    @Test("stop() releases a hung connection and removes the socket")
    func stopReleasesHungConnection() throws {
        let engine = try FakeEngine.start(.docker26)
        engine.setFault(.hang, forPathContaining: "/_ping")
        let client = try RawClient(engine)
        try client.send("GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
        // The request is recorded once read; wait for that (bounded) so stop() meets a hung request.
        for _ in 0..<500 where engine.requests.isEmpty { usleep(10_000) }
        #expect(engine.requests.count == 1)
        engine.stop()
        #expect(engine.runningThreadCount == 0)
        #expect(client.readToEnd().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: engine.socketPath))
        #expect(!FileManager.default.fileExists(atPath: (engine.socketPath as NSString).deletingLastPathComponent))
    }

    @Test("withRunning stops the engine when its body throws")
    func withRunningCleansUpOnThrow() async throws {
        struct Planned: Error {}
        var path = ""
        await #expect(throws: Planned.self) {
            try await FakeEngine.withRunning(.docker1dot7) { engine in
                path = engine.socketPath
                throw Planned()
            }
        }
        #expect(!path.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    // MARK: Containers, events, images

    @Test("A container runs its program: Running, then exited with its code; logs, wait, list, remove")
    func containerLifecycle() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            engine.setProgram { command, _ in
                command == ["finish"]
                    ? ScriptedProcess(stdout: "done\n", exitCode: 7, runningFor: .milliseconds(100))
                    : Self.program(command, false)
            }
            let client = try RawClient(engine)
            let created = try client.request(
                "POST", "/containers/create?name=job",
                json:
                    #"{"Image":"busybox","Cmd":["finish"],"Labels":{"dindlab.run":"r1"},"HostConfig":{"Privileged":true}}"#
            )
            #expect(created.status == 201)
            let id = try #require(try created.jsonObject()["Id"] as? String)
            #expect(try client.request("POST", "/containers/job/start").status == 204)
            let wait = try client.request("POST", "/containers/\(id)/wait")
            #expect(try wait.jsonObject()["StatusCode"] as? Int == 7)
            let inspected = try client.request("GET", "/containers/job/json").jsonObject()
            let state = try #require(inspected["State"] as? [String: Any])
            #expect(state["Status"] as? String == "exited")
            #expect(state["ExitCode"] as? Int == 7)
            #expect((inspected["HostConfig"] as? [String: Any])?["Privileged"] as? Bool == true)
            #expect((inspected["Config"] as? [String: Any])?["Labels"] as? [String: String] == ["dindlab.run": "r1"])
            let logs = try client.request("GET", "/containers/job/logs?stdout=1&stderr=1")
            #expect(try Self.frames(logs.body).map(\.text) == ["done\n"])

            let other = try client.request("POST", "/containers/create", json: #"{"Image":"busybox","Cmd":["sleep"]}"#)
            #expect(other.status == 201)
            let filter = "%7B%22label%22%3A%5B%22dindlab.run%3Dr1%22%5D%7D"  // {"label":["dindlab.run=r1"]}
            let listed = try client.request("GET", "/containers/json?all=1&filters=\(filter)").jsonArray()
            #expect(listed.compactMap { $0["Id"] as? String } == [id])
            #expect(try client.request("DELETE", "/containers/\(id)?force=1&v=1").status == 204)
            #expect(try client.request("GET", "/containers/\(id)/json").status == 404)
        }
    }

    @Test("Followed logs and concurrent waits all end when the container exits")
    func followAndConcurrentWaits() async throws {
        try await FakeEngine.withRunning(.docker20dot10) { engine in
            engine.setProgram { _, _ in ScriptedProcess(stdout: "tick\n", exitCode: 2, runningFor: .milliseconds(300)) }
            let id = try Self.startIdleContainer(try RawClient(engine), command: ["ticker"])
            async let first = RawClient(engine).request("POST", "/v1.41/containers/\(id)/wait")
            async let second = RawClient(engine).request("POST", "/v1.41/containers/\(id)/wait")
            async let logs = RawClient(engine).request("GET", "/v1.41/containers/\(id)/logs?stdout=1&follow=1")
            let (a, b, l) = try await (first, second, logs)
            // API 1.41 streams the wait answer: head first, body when the container stops.
            #expect(a.headers["transfer-encoding"] == "chunked")
            #expect(try a.jsonObject()["StatusCode"] as? Int == 2)
            #expect(try b.jsonObject()["StatusCode"] as? Int == 2)
            #expect(try Self.frames(l.body).map(\.text) == ["tick\n"])
        }
    }

    @Test("Removing a running container without force is a conflict; an unknown image is 404")
    func conflicts() async throws {
        try await FakeEngine.withRunning(.docker20dot10) { engine in
            let client = try RawClient(engine)
            let id = try Self.startIdleContainer(client, program: Self.program, engine: engine)
            let refused = try client.request("DELETE", "/v1.41/containers/\(id)")
            #expect(refused.status == 409)
            #expect(try client.request("POST", "/containers/\(id)/start").status == 304)
            let missing = try client.request("POST", "/containers/create", json: #"{"Image":"nope:1"}"#)
            #expect(missing.status == 404)
            #expect(try missing.jsonObject()["message"] as? String == "No such image: nope:1")
        }
    }

    @Test("Events since/until replay create, start, die and destroy with Actor for new daemons")
    func events() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let client = try RawClient(engine)
            let since = Int(Date().timeIntervalSince1970) - 1
            let created = try client.request(
                "POST", "/containers/create", json: #"{"Image":"busybox","Cmd":["echo","x"]}"#)
            let id = try #require(try created.jsonObject()["Id"] as? String)
            _ = try client.request("POST", "/containers/\(id)/start")
            _ = try client.request("POST", "/containers/\(id)/wait")
            _ = try client.request("DELETE", "/containers/\(id)")
            let until = Int(Date().timeIntervalSince1970) + 1
            let response = try client.request("GET", "/events?since=\(since)&until=\(until)")
            #expect(response.headers["transfer-encoding"] == "chunked")
            let events = try response.text.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(events.compactMap { $0["Action"] as? String } == ["create", "start", "die", "destroy"])
            #expect(events.allSatisfy { ($0["Actor"] as? [String: Any])?["ID"] as? String == id })
        }
    }

    @Test("An import consumes its chunked body and ends its progress stream with the image id")
    func importImage() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let client = try RawClient(engine)
            let changes = "changes=LABEL%20dindlab.docker%3D26&changes=CMD%20%5B%22dockerd%22%5D"
            try client.send(
                "POST /images/create?fromSrc=-&repo=dindlab/outer&tag=t1&\(changes) HTTP/1.1\r\nHost: docker\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n")
            let piece = Data(repeating: 0x61, count: 256 * 1024)
            for _ in 0..<12 {
                try client.send(String(piece.count, radix: 16) + "\r\n")
                try client.send(piece)
                try client.send("\r\n")
            }
            try client.send("0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let lines = response.text.split(separator: "\r\n").map(String.init)
            let last = try #require(try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: String])
            let id = try #require(last["status"])
            #expect(id.hasPrefix("sha256:") && id.count == 71)
            #expect(engine.requests.last?.bodyLength == 12 * 256 * 1024)
            let image = try client.request("GET", "/images/dindlab/outer:t1/json").jsonObject()
            #expect(image["Id"] as? String == id)
            let config = try #require(image["Config"] as? [String: Any])
            #expect(config["Labels"] as? [String: String] == ["dindlab.docker": "26"])
            #expect(config["Cmd"] as? [String] == ["dockerd"])
        }
    }

    @Test("A progressError fault puts an errorDetail line into the progress stream")
    func progressError() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            engine.setFault(.progressError("unexpected EOF"), forPathContaining: "/images/create")
            let response = try RawClient(engine).request(
                "POST", "/images/create?fromSrc=-&repo=x", body: Data("tar".utf8))
            #expect(response.status == 200)
            let last = try #require(response.text.split(separator: "\r\n").last)
            #expect(String(last) == #"{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}"#)
        }
    }

    @Test("The archive endpoint returns what was put, with its path stat")
    func archiveRoundTrip() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let client = try RawClient(engine)
            let id = try Self.startIdleContainer(client, program: Self.program, engine: engine)
            let tar = TarWriter.archive([
                TarEntry(
                    name: "motd", kind: .file, mode: 0o600, modified: Date(), size: 5, contents: Data("hello".utf8))
            ])
            #expect(try client.request("PUT", "/containers/\(id)/archive?path=/etc", body: tar).status == 200)
            let fetched = try client.request("GET", "/containers/\(id)/archive?path=/etc/motd")
            #expect(fetched.status == 200)
            let entries = TarReader.entries(of: fetched.body)
            #expect(entries.map(\.name) == ["motd"])
            #expect(entries.first?.contents == Data("hello".utf8))
            let statText = try #require(
                fetched.headers["x-docker-container-path-stat"].flatMap { Data(base64Encoded: $0) })
            let stat = try #require(try JSONSerialization.jsonObject(with: statText) as? [String: Any])
            #expect(stat["name"] as? String == "motd")
            #expect(stat["size"] as? Int == 5)
            #expect(try client.request("GET", "/containers/\(id)/archive?path=/nope").status == 404)
        }
    }

    // MARK: Helpers

    /// "sleep" runs for an hour, "report" writes to both streams and exits 3; the rest is the default.
    @Sendable static func program(_ command: [String], _ tty: Bool) -> ScriptedProcess {
        switch command.first {
        case "sleep": ScriptedProcess(runningFor: .seconds(3600))
        case "report": ScriptedProcess(stdout: "report out\n", stderr: "report err\n", exitCode: 3)
        default: ScriptedProcess.defaultProgram(command, tty: tty)
        }
    }

    /// Creates and starts a container; by default one that idles ("sleep") so execs can run in it.
    static func startIdleContainer(
        _ client: RawClient, program: (@Sendable ([String], Bool) -> ScriptedProcess)? = nil,
        engine: FakeEngine? = nil, name: String? = nil, command: [String] = ["sleep"]
    ) throws -> String {
        if let program, let engine { engine.setProgram(program) }
        let commandJSON = "[" + command.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        let created = try client.request(
            "POST", "/containers/create" + (name.map { "?name=\($0)" } ?? ""),
            json: #"{"Image":"busybox","Cmd":\#(commandJSON)}"#)
        guard created.status == 201, let id = try created.jsonObject()["Id"] as? String else {
            throw RawClientError("creating a container answered \(created.statusLine): \(created.text)")
        }
        let started = try client.request("POST", "/containers/\(id)/start")
        guard started.status == 204 else { throw RawClientError("starting \(id) answered \(started.statusLine)") }
        return id
    }

    struct Frame {
        var stream: UInt8
        var payload: Data
        var text: String { String(decoding: payload, as: UTF8.self) }
    }

    /// Splits a multiplexed stream, failing on any malformed header or trailing bytes.
    static func frames(_ data: Data) throws -> [Frame] {
        var frames: [Frame] = []
        var bytes = [UInt8](data)[...]
        while !bytes.isEmpty {
            guard bytes.count >= 8 else { throw RawClientError("a frame header is cut short: \(Array(bytes))") }
            let header = Array(bytes.prefix(8))
            guard [1, 2, 3].contains(header[0]), header[1] == 0, header[2] == 0, header[3] == 0 else {
                throw RawClientError("malformed frame header \(header)")
            }
            let size = header[4...7].reduce(0) { $0 << 8 | Int($1) }
            guard bytes.count >= 8 + size else {
                throw RawClientError("a frame of \(size) bytes has only \(bytes.count - 8)")
            }
            frames.append(Frame(stream: header[0], payload: Data(bytes.dropFirst(8).prefix(size))))
            bytes = bytes.dropFirst(8 + size)
        }
        return frames
    }
}

// MARK: - A tiny HTTP/1.1 client over a Unix socket

struct RawClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct RawResponse {
    var statusLine: String
    var status: Int
    /// By lowercased name.
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    func jsonObject() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw RawClientError("\(statusLine) has no JSON object body: \(text)")
        }
        return object
    }

    func jsonArray() throws -> [[String: Any]] {
        guard let array = try JSONSerialization.jsonObject(with: body) as? [[String: Any]] else {
            throw RawClientError("\(statusLine) has no JSON array body: \(text)")
        }
        return array
    }
}

/// Writes requests by hand and reads responses by Content-Length, chunked framing, or to
/// the end of the stream. Reads time out after 10 s so a broken fake fails instead of hanging.
final class RawClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(_ engine: FakeEngine) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(engine.socketPath.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path + [0]) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw RawClientError("connect to \(engine.socketPath) failed: errno \(errno)") }
    }

    deinit { close(descriptor) }

    func send(_ text: String) throws { try send(Data(text.utf8)) }

    func send(_ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                guard sent > 0 else { throw RawClientError("send failed: errno \(errno)") }
                offset += sent
            }
        }
    }

    func request(_ method: String, _ target: String, json: String) throws -> RawResponse {
        try request(method, target, headers: ["Content-Type": "application/json"], body: Data(json.utf8))
    }

    func request(_ method: String, _ target: String, headers: [String: String] = [:], body: Data? = nil) throws
        -> RawResponse
    {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: docker\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        try send(Data((head + "\r\n").utf8) + (body ?? Data()))
        return try readResponse(method: method)
    }

    /// Sends a raw request and reads only the response head.
    func readHead(after request: String) throws -> RawResponse {
        try send(request)
        return try parseHead()
    }

    func readResponse(method: String = "GET") throws -> RawResponse {
        var response = try parseHead()
        if method == "HEAD" || response.status == 204 || response.status == 304
            || (100..<200).contains(response.status) && response.status != 101
        {
            return response
        }
        if response.headers["transfer-encoding"] == "chunked" {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine, radix: 16) else {
                    throw RawClientError("bad chunk size line \(sizeLine)")
                }
                if size == 0 {
                    _ = try readLine()
                    break
                }
                response.body += try readExactly(size)
                guard try readLine().isEmpty else { throw RawClientError("a chunk does not end with CRLF") }
            }
        } else if let length = response.headers["content-length"].flatMap({ Int($0) }) {
            response.body = try readExactly(length)
        } else {
            response.body = readToEnd()
        }
        return response
    }

    /// Everything until the server closes (or the read times out).
    func readToEnd() -> Data {
        while (try? fill()) == true {}
        defer { buffer.removeAll() }
        return Data(buffer)
    }

    private func parseHead() throws -> RawResponse {
        var lines: [String] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            lines.append(line)
        }
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else {
            throw RawClientError("no status line in \(lines)")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return RawResponse(statusLine: statusLine, status: status, headers: headers, body: Data())
    }

    private func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            guard try fill() else { throw RawClientError("the connection closed in the middle of a line") }
        }
    }

    private func readExactly(_ count: Int) throws -> Data {
        while buffer.count < count {
            guard try fill() else {
                throw RawClientError("the connection closed after \(buffer.count) of \(count) bytes")
            }
        }
        defer { buffer.removeFirst(count) }
        return Data(buffer[..<count])
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer += chunk[..<count]
            return true
        }
        if count == 0 { return false }
        throw RawClientError("recv failed: errno \(errno)")
    }
}
