import FakeEngine
import Foundation
import Testing

/// The dindlab executable with bad input: a clear sentence on stderr and a non-zero exit.
@Suite(.enabled(if: CommandLine.binaryExists, "the dindlab executable is not built (swift build)"))
struct CommandLineTests {
    @Test(
        "bad engines are refused with a clear error: 64 for an address that cannot be one, 2 for an engine that is not there",
        arguments: [
            (
                ["engine", "ping", "--engine", "http://localhost:2375"], "the scheme \"http\" is not supported",
                Int32(64)
            ),
            (["engine", "ping", "--engine", "unix:///tmp/dindlab-no-such.sock"], "does not exist", 2),
            (["engine", "info", "--engine", "unix:///tmp/dindlab-no-such.sock"], "does not exist", 2),
            (["engine", "ping", "--engine", "unix://relative.sock"], "absolute socket path", 64),
            (
                ["engine", "ping", "--engine", "no-such-private-engine"], "no private engine of that name is running",
                64
            ),
            (["engine", "ping", "--api-version", "one"], "must look like 1.41", 64),
        ])
    func badEngines(arguments: [String], message: String, status: Int32) async throws {
        let result = try await CommandLine.run(arguments)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test("a daemon that refuses the API version: its own words, and what to do")
    func refusedVersion() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let result = try await CommandLine.run([
                "engine", "ping", "--engine", engine.address, "--api-version", "1.19",
            ])
            #expect(result.status != 0)
            #expect(result.stderr.contains("client version 1.19 is too old"), "\(result.stderr)")
            #expect(result.stderr.contains("unset DOCKER_API_VERSION"))
        }
    }

    @Test("a daemon that hangs: a timeout naming the call")
    func hangingDaemon() async throws {
        try await FakeEngine.withRunning(.docker20dot10) { engine in
            engine.setFault(.hang, forPathContaining: "/_ping")
            let result = try await CommandLine.run([
                "engine", "ping", "--engine", engine.address, "--api-version", "1.41",
            ])
            #expect(result.status != 0)
            #expect(result.stderr.contains("timed out"), "\(result.stderr)")
            #expect(result.stderr.contains("/_ping"))
        }
    }

    /// A scenario file in a fresh folder, with `results/` beside it.
    static func workspace() throws -> (folder: URL, scenario: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dindlab-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let scenario = folder.appendingPathComponent("s.yaml")
        try "version: 1\nname: s\nrepeat: 2\nouter: {image: dindlab/outer:bookworm}\n".write(
            to: scenario, atomically: true, encoding: .utf8)
        return (folder, scenario)
    }

    @Test(
        "every usage error exits 64 with a sentence naming the option and the values it takes",
        arguments: [
            (["run", "SCENARIO", "--repeat", "0"], "--repeat 0: give a whole number of trials per cell of at least 1"),
            (
                ["run", "SCENARIO", "--repeat", "-1"],
                "--repeat -1: give a whole number of trials per cell of at least 1"
            ),
            (
                ["run", "SCENARIO", "--jobs", "0"],
                "--jobs 0: give a whole number of trials running at once of at least 1"
            ),
            (
                ["run", "SCENARIO", "--jobs", "-3"],
                "--jobs -3: give a whole number of trials running at once of at least 1"
            ),
            (
                ["plan", "SCENARIO", "--repeat", "0"],
                "--repeat 0: give a whole number of trials per cell of at least 1"
            ),
            (
                ["plan", "SCENARIO", "--repeat", "-1"],
                "--repeat -1: give a whole number of trials per cell of at least 1"
            ),
            (["repro", "SCENARIO", "--max", "0"], "--max 0: give a whole number of trials of at least 1"),
            (
                ["repro", "SCENARIO", "--jobs", "0"],
                "--jobs 0: give a whole number of trials running at once of at least 1"
            ),
            (["engine", "ping", "--count", "-1"], "--count -1: give a whole number of round trips of at least 1"),
            (["run", "SCENARIO", "--forensics", "sometimes"], "--forensics takes always or on-failure"),
            (["run", "SCENARIO", "--shard", "4/3", "--seed", "1"], "expected K/N with 1 <= K <= N"),
            (["plan", "SCENARIO", "--only", "inner.mode=ti"], "inner.mode is not a matrix key"),
            (["plan", "/nonexistent/dindlab.yaml"], "/nonexistent/dindlab.yaml"),
            (["run", "/nonexistent/dindlab.yaml"], "/nonexistent/dindlab.yaml"),
            (["run", "SCENARIO", "--no-such-option"], "Unknown option '--no-such-option'"),
        ])
    func usageErrors(arguments: [String], message: String) async throws {
        let (folder, scenario) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await CommandLine.run(arguments.map { $0 == "SCENARIO" ? scenario.path : $0 }, in: folder)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        // Nothing ran, so nothing was written.
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("results").path))
    }

    @Test(
        "a run whose engine cannot be reached exits 2 and leaves no run folder",
        arguments: [
            (["--engine", "unix:///tmp/dindlab-no-such-engine.sock"], [String: String](), "does not exist"),
            (["--engine", "tcp://127.0.0.1:1"], [String: String](), "127.0.0.1:1"),
            (
                [String](), ["DOCKER_HOST": "unix:///tmp/dindlab-no-such-engine.sock"],
                "the address came from DOCKER_HOST (unix:///tmp/dindlab-no-such-engine.sock)"
            ),
        ])
    func unreachableEngine(arguments: [String], environment: [String: String], message: String) async throws {
        let (folder, scenario) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let results = folder.appendingPathComponent("results")
        let result = try await CommandLine.run(
            ["run", scenario.path, "--out", results.path] + arguments, adding: environment, in: folder)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: results.path)) ?? []
        #expect(left.isEmpty, "run folders left: \(left)")
    }

    @Test("scenario files with mistakes fail validate with file:line:column")
    func badScenario() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-bad-\(UUID().uuidString).yaml")
        try "version: 1\nname: bad\nouter: {image: x}\ndaemon:\n  start: exce\n".write(
            to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await CommandLine.run(["validate", file.path])
        #expect(result.status == 1)
        #expect(
            (result.stdout + result.stderr).contains(
                "\(file.path):5:10: daemon.start: expected one of cmd, exec, got \"exce\""),
            "\(result.stdout)\(result.stderr)")
    }
}

extension CommandLine {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../.build/debug/dindlab"
    ).standardized
    static let binaryExists = FileManager.default.isExecutableFile(atPath: binary.path)

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Both outputs, for messages.
        var text: String { stdout + stderr }
    }

    /// Runs dindlab with no DOCKER_* variables (but `adding`), capturing its output, off the
    /// cooperative pool (see `offThePool`).
    static func run(_ arguments: [String], adding extra: [String: String] = [:], in directory: URL? = nil) async throws
        -> Result
    {
        try await offThePool { try runBlocking(arguments, adding: extra, in: directory) }
    }

    /// `run`, on the calling thread: for `defer` blocks, which cannot await.
    static func runBlocking(_ arguments: [String], adding extra: [String: String] = [:], in directory: URL? = nil)
        throws -> Result
    {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DOCKER_") }
        environment["HOME"] = FileManager.default.temporaryDirectory.path
        environment.merge(extra) { $1 }
        process.environment = environment
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
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr.value ?? Data(), as: UTF8.self))
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
