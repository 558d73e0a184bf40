import DockerEngine
import FakeEngine
import Foundation
import Testing

/// Container logs and attached exec output over the wire: demultiplexed whatever the read
/// boundaries, the daemon's error channel kept, raw streams for a TTY, and a connection that
/// breaks mid-stream reported as an error rather than returned as a short result.
@Suite("Streams", .timeLimit(.minutes(1)))
struct StreamTests {
    static let stdout = Data(
        "first line of stdout\nsecond line, with control bytes \u{1}\u{2}\u{3} and UTF-8 é ✓\n".utf8)
    static let stderr = Data("warning: something went to stderr\n".utf8)
    static let talk = ScriptedProcess(stdout: stdout, stderr: stderr, exitCode: 4)

    /// Write sizes, cycled: single bytes, sizes that cut the 8-byte headers anywhere, and large ones.
    static let splitPatterns: [[Int]] = [
        [1], [2], [3], [5], [7], [8], [9], [13], [1, 8], [8, 1], [3, 5, 11], [7, 1, 2], [64], [4096],
    ]
    static let personas: [DaemonPersona] = [.docker1dot9, .docker26]

    // MARK: Split writes

    @Test("Container logs are demultiplexed whatever the write sizes", arguments: splitPatterns, personas)
    func logsSplit(sizes: [Int], persona: DaemonPersona) async throws {
        try await withClient(persona) { engine, client in
            engine.script(["talk": Self.talk])
            let id = try await client.runContainer(["talk"])
            _ = try await client.waitContainer(id)
            // A second run appends a second pair of frames to the log.
            try await client.startContainer(id)
            _ = try await client.waitContainer(id)
            engine.setFault(.splitWrites(sizes: sizes), forPathContaining: "/logs")
            let output = try await client.containerLogs(id, tty: false)
            #expect(output.stdout == Self.stdout + Self.stdout)
            #expect(output.stderr == Self.stderr + Self.stderr)
            #expect(output.systemErrors.isEmpty)
        }
    }

    @Test("Attached exec output is demultiplexed whatever the write sizes", arguments: splitPatterns, personas)
    func execSplit(sizes: [Int], persona: DaemonPersona) async throws {
        try await withClient(persona) { engine, client in
            engine.script(["talk": Self.talk])
            let container = try await client.runContainer()
            engine.setFault(.splitWrites(sizes: sizes), forPathContaining: "/start")
            let result = try await client.exec(in: container, ["talk"])
            #expect(result.output.stdout == Self.stdout)
            #expect(result.output.stderr == Self.stderr)
            #expect(result.exitCode == 4)
        }
    }

    @Test(
        "Large frames survive split writes, logs and exec alike", arguments: [[65_536, 1, 4093, 7], [16_383, 8, 3]])
    func largeFramesSplit(sizes: [Int]) async throws {
        let big = arbitraryBytes(count: 300_000, seed: UInt64(sizes.count))
        let process = ScriptedProcess(stdout: big, stderr: Self.stderr)
        try await withClient(.docker20dot10) { engine, client in
            engine.script(["big": process])
            let container = try await client.runContainer()
            engine.setFault(.splitWrites(sizes: sizes), forPathContaining: "/start")
            let result = try await client.exec(in: container, ["big"])
            #expect(result.output.stdout == big)
            #expect(result.output.stderr == Self.stderr)

            let logged = try await client.runContainer(["big"])
            _ = try await client.waitContainer(logged)
            engine.setFault(.splitWrites(sizes: sizes), forPathContaining: "/logs")
            let output = try await client.containerLogs(logged, tty: false)
            #expect(output.stdout == big)
            #expect(output.stderr == Self.stderr)
        }
    }

    // MARK: The daemon's error channel

    static let systemError =
        "error from daemon in stream: Error grabbing logs: invalid character '\\x00' looking for beginning of value"

    @Test("Stream type 3 in container logs reaches systemErrors", arguments: DaemonPersona.all)
    func logsSystemError(persona: DaemonPersona) async throws {
        try await withClient(persona) { engine, client in
            engine.script(["talk": Self.talk])
            let id = try await client.runContainer(["talk"])
            _ = try await client.waitContainer(id)
            engine.setFault(.systemError(Self.systemError), forPathContaining: "/logs")
            let output = try await client.containerLogs(id, tty: false)
            #expect(output.systemErrors == [Self.systemError])
            #expect(output.stdout == Self.stdout)
            #expect(output.stderr == Self.stderr)
        }
    }

    @Test("Stream type 3 in attached exec output reaches systemErrors", arguments: DaemonPersona.all)
    func execSystemError(persona: DaemonPersona) async throws {
        try await withClient(persona) { engine, client in
            engine.script(["talk": Self.talk])
            let container = try await client.runContainer()
            engine.setFault(.systemError(Self.systemError), forPathContaining: "/start")
            let result = try await client.exec(in: container, ["talk"])
            #expect(result.output.systemErrors == [Self.systemError])
            #expect(result.output.stdout == Self.stdout)
        }
    }

    // MARK: TTY

    @Test(
        "A TTY exec returns the raw stream, stdout and stderr as the terminal merged them",
        arguments: [[], [1], [3, 5]], personas)
    func ttyExec(sizes: [Int], persona: DaemonPersona) async throws {
        try await withClient(persona) { engine, client in
            // "hello" read as a frame header would be stream type 0x68: the client must not demultiplex.
            engine.script([
                "greet": ScriptedProcess(stdout: "hello from a terminal\r\n", stderr: "and its stderr\r\n", exitCode: 2)
            ])
            let container = try await client.runContainer()
            if !sizes.isEmpty { engine.setFault(.splitWrites(sizes: sizes), forPathContaining: "/start") }
            let result = try await client.exec(in: container, ["greet"], tty: true)
            #expect(result.output.stdoutText == "hello from a terminal\r\nand its stderr\r\n")
            #expect(result.output.stderr.isEmpty)
            #expect(result.output.systemErrors.isEmpty)
            #expect(result.exitCode == 2)
        }
    }

    @Test("A TTY container's logs are the raw stream")
    func ttyLogs() async throws {
        try await withClient(.docker26) { engine, client in
            engine.script(["greet": ScriptedProcess(stdout: "hello from a terminal\r\n")])
            let id = try await client.runContainer(["greet"], tty: true)
            _ = try await client.waitContainer(id)
            engine.setFault(.splitWrites(sizes: [2, 3]), forPathContaining: "/logs")
            let output = try await client.containerLogs(id, tty: true)
            #expect(output.stdoutText == "hello from a terminal\r\n")
            #expect(output.stderr.isEmpty)
        }
    }

    @Test("A TTY container's logs read as multiplexed are a protocol violation that names the request")
    func ttyLogsReadAsMultiplexed() async throws {
        try await withClient(.docker26) { engine, client in
            engine.script(["greet": ScriptedProcess(stdout: "hello from a terminal\r\n")])
            let id = try await client.runContainer(["greet"], tty: true)
            _ = try await client.waitContainer(id)
            let error = await #expect(throws: EngineError.self) { try await client.containerLogs(id, tty: false) }
            let description = error?.description ?? ""
            #expect(description.contains("GET /containers/\(id)/logs"), "\(description)")
            #expect(description.contains("stream type 104"), "\(description)")
        }
    }

    // MARK: Connections dropped mid-stream

    /// Where a cut falls in the bytes after the response head.
    struct Cut: Sendable, CustomTestStringConvertible {
        var name: String
        /// Whether `offset` counts from the start of a chunked body rather than of the frames.
        var countsChunkFraming = false
        /// The byte count after which the connection drops, given the framed output.
        var offset: @Sendable (_ framed: Data) -> Int
        var testDescription: String { name }
    }

    /// Cuts inside the multiplexed output `frame(stdout) + frame(stderr)`.
    static let frameCuts = [
        Cut(name: "in the first header") { _ in 3 },
        Cut(name: "in the first payload") { _ in 8 + 5 },
        Cut(name: "in the second header") { _ in 8 + stdout.count + 4 },
        Cut(name: "one byte before the end") { framed in framed.count - 1 },
    ]

    static var framedOutput: Data { multiplexedFrame(1, stdout) + multiplexedFrame(2, stderr) }

    @Test(
        "Logs whose connection drops mid-stream are a transport error, not a short result",
        arguments: frameCuts + [
            Cut(name: "in the chunk size line", countsChunkFraming: true) { _ in 2 },
            Cut(name: "after the frames, before the last chunk", countsChunkFraming: true) { framed in
                String(framed.count, radix: 16).count + 2 + framed.count + 2
            },
        ])
    func logsDropped(_ cut: Cut) async throws {
        try await withClient(.docker26) { engine, client in
            engine.script(["talk": Self.talk])
            let id = try await client.runContainer(["talk"])
            _ = try await client.waitContainer(id)
            // The logs answer is chunked: one chunk with every frame, then the last chunk.
            let framed = Self.framedOutput
            let chunkSizeLine = String(framed.count, radix: 16).count + 2
            let offset = cut.offset(framed) + (cut.countsChunkFraming ? 0 : chunkSizeLine)
            engine.setFault(.dropAfter(bytes: offset), forPathContaining: "/logs")
            let error = await #expect(throws: EngineError.self) { try await client.containerLogs(id, tty: false) }
            #expect(error?.isTransport == true, "\(String(describing: error))")
            #expect(
                error?.description.contains("GET /v1.45/containers/\(id)/logs") == true, "\(String(describing: error))")
            #expect(
                error?.description.contains("broke off while the daemon was answering") == true,
                "\(String(describing: error))")
        }
    }

    @Test(
        "An attached exec whose connection drops mid-frame is a transport error, not a short result",
        arguments: frameCuts, personas)
    func execDropped(_ cut: Cut, persona: DaemonPersona) async throws {
        try await withClient(persona) { engine, client in
            engine.script(["talk": Self.talk])
            let container = try await client.runContainer()
            let exec = try await client.createExec(in: container, ExecConfig(cmd: ["talk"]))
            engine.setFault(.dropAfter(bytes: cut.offset(Self.framedOutput)), forPathContaining: "/exec/\(exec)/start")
            let error = await #expect(throws: EngineError.self) { try await client.startExecAttached(exec, tty: false) }
            #expect(error?.isTransport == true, "\(String(describing: error))")
            #expect(
                error?.description.contains("POST /v\(persona.apiVersion)/exec/\(exec)/start") == true,
                "\(String(describing: error))")
            #expect(
                error?.description.contains("broke off while the daemon was answering") == true,
                "\(String(describing: error))")
        }
    }

    @Test("A JSON answer cut short is a transport error", arguments: [0, 1, 20])
    func jsonDropped(bytes: Int) async throws {
        try await withClient(.docker1dot7) { engine, client in
            try await client.negotiate()
            engine.setFault(.dropAfter(bytes: bytes), forPathContaining: "/info")
            let error = await #expect(throws: EngineError.self) { try await client.info() }
            #expect(error?.isTransport == true, "\(String(describing: error))")
            #expect(error?.description.contains("GET /v1.19/info") == true, "\(String(describing: error))")
        }
    }
}
