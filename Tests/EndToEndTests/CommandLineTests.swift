import FakeEngine
import Foundation
import Testing

/// The dindlab executable with bad input: a clear sentence on stderr and a non-zero exit.
@Suite(.enabled(if: CommandLine.binaryExists, "the dindlab executable is not built (swift build)"))
struct CommandLineTests {
    @Test("bad engines are refused with a clear error", arguments: [
        (["engine", "ping", "--engine", "http://localhost:2375"], "the scheme \"http\" is not supported"),
        (["engine", "ping", "--engine", "unix:///tmp/dindlab-no-such.sock"], "does not exist"),
        (["engine", "ping", "--engine", "unix://relative.sock"], "absolute socket path"),
        (["engine", "ping", "--engine", "no-such-private-engine"], "no private engine of that name is running"),
        (["engine", "ping", "--api-version", "one"], "must look like 1.41"),
    ])
    func badEngines(arguments: [String], message: String) throws {
        let result = try CommandLine.run(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test("a daemon that refuses the API version: its own words, and what to do")
    func refusedVersion() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let result = try CommandLine.run(["engine", "ping", "--engine", engine.address, "--api-version", "1.19"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("client version 1.19 is too old"), "\(result.stderr)")
            #expect(result.stderr.contains("unset DOCKER_API_VERSION"))
        }
    }

    @Test("a daemon that hangs: a timeout naming the call")
    func hangingDaemon() async throws {
        try await FakeEngine.withRunning(.docker20_10) { engine in
            engine.setFault(.hang, forPathContaining: "/_ping")
            let result = try CommandLine.run(["engine", "ping", "--engine", engine.address, "--api-version", "1.41"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("timed out"), "\(result.stderr)")
            #expect(result.stderr.contains("/_ping"))
        }
    }

    @Test("scenario files with mistakes fail validate with file:line:column")
    func badScenario() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dindlab-bad-\(UUID().uuidString).yaml")
        try "version: 1\nname: bad\nouter: {image: x}\ndaemon:\n  start: exce\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CommandLine.run(["validate", file.path])
        #expect(result.status == 1)
        #expect((result.stdout + result.stderr).contains("\(file.path):5:10: daemon.start: expected one of cmd, exec, got \"exce\""), "\(result.stdout)\(result.stderr)")
    }
}

extension CommandLine {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/dindlab").standardized
    static let binaryExists = FileManager.default.isExecutableFile(atPath: binary.path)

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Both outputs, for messages.
        var text: String { stdout + stderr }
    }

    /// Runs dindlab with no DOCKER_* variables and a timeout, capturing its output.
    ///
    /// - Parameter overrides: Environment variables to set on top (e.g. XDG_STATE_HOME).
    static func run(_ arguments: [String], environment overrides: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DOCKER_") }
        environment["HOME"] = FileManager.default.temporaryDirectory.path
        process.environment = environment.merging(overrides) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes at once: a long stderr (image build progress) must not block the process.
        let stderr = ThreadShared<Data?>(nil)
        Thread { stderr.set(err.fileHandleForReading.readDataToEndOfFile()) }.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while stderr.value == nil { Thread.sleep(forTimeInterval: 0.01) }
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr.value ?? Data(), as: UTF8.self))
    }
}

/// A value one thread writes and another reads.
final class ThreadShared<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    func set(_ value: Value) { lock.withLock { stored = value } }
    var value: Value { lock.withLock { stored } }
}
