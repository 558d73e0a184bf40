import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation
import Testing

/// Two private engines of different Docker versions side by side, and a scenario whose
/// matrix runs over them: the engine as a matrix dimension. The second engine is Debian
/// bullseye's dockerd 20.10.5, taken out of the bullseye outer image through the Engine API.
@Suite(
    .enabled(
        if: RealEngine.isAvailable && RealEngine.outerImages.contains("dindlab/outer:bullseye")
            && RealEngine.outerImage != nil && getuid() == 0,
        "needs the test engine, the bullseye and bookworm outer images and root (scripts/test provides them)"),
    .serialized)
struct EngineMatrixEndToEndTests {
    @Test("a matrix over two engines (20.10.24 and 20.10.5) tallies per engine; the host is unchanged")
    func twoEngines() async throws {
        let hostBefore = HostSnapshot.take()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-engines-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let modern = try RealEngine.client()
        let dockerd = try await Self.extract(
            "/usr/sbin/dockerd", from: "dindlab/outer:bullseye", using: modern, into: folder)
        // The engine's state (its data root holds the outer image, about 440 MB) goes with the
        // test: a state folder of its own, removed at the end.
        var template = Array("/tmp/dl-mx-XXXXXX".utf8CString)
        let state = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: state) }
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = state
        let engines = PrivateEngine(environment: environment)
        let name = "e2e-bullseye-\(getpid())"
        let record = try await engines.up(name: name, binary: dockerd.path)
        do {
            #expect(record.version.major == 20 && record.version.minor == 10 && record.version.patch == 5)
            let listed = await engines.list()
            #expect(listed.contains { $0.name == name && $0.isRunning })

            // The outer image on the second engine: a rebuild from the cached rootfs.
            try await Self.dindlab(["images", "build", "bookworm", "--engine", record.dockerHost])

            let scenario = try ScenarioLoader.load(
                yaml: """
                    version: 1
                    name: engines
                    repeat: 2
                    outer:
                      image: dindlab/outer:bookworm
                    inner:
                      command: [sh, -c, "echo ok"]
                      expect-output: "^ok"
                    matrix:
                      engine: [modern, old]
                    """, file: "engines.yaml")
            let selections = [
                EngineSelection(name: "modern", address: try EngineAddress(parsing: RealEngine.address!)),
                EngineSelection(name: "old", address: try EngineAddress(parsing: record.dockerHost)),
            ]
            let result = try await Runner(
                engines: selections, options: RunOptions(resultsRoot: folder.appendingPathComponent("results"))
            ).run(plan: try Plan(scenarios: [scenario], seed: 3))
            let cells = try #require(result.summary.scenarios.first?.cells)
            #expect(Set(cells.map(\.engine)) == ["modern", "old"])
            #expect(
                cells.allSatisfy { $0.trials == 2 && $0.passes == 2 },
                "\(cells.map { ($0.engine, $0.signatures.map(\.signature)) })")
            #expect(result.records.allSatisfy { $0.engine == $0.cellValues.first?.value })
            let versions = Dictionary(
                uniqueKeysWithValues: result.manifest.engines.map { ($0.name, $0.fingerprint.daemonVersion ?? "") })
            #expect(versions["old"]?.hasPrefix("20.10.5") == true)
            #expect(versions["modern"]?.hasPrefix("20.10.24") == true)

            try await Self.factsSurviveOnlyTheDaemon(
                engines: engines, name: name, dockerd: dockerd.path, record: record, folder: folder)
        } catch {
            _ = try? await engines.down(name: name)
            throw error
        }
        let report = try await engines.down(name: name)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(HostSnapshot.take() == hostBefore)
    }

    /// What a run learns about an engine is learnt once per daemon instance: a second run on
    /// the same daemon starts no probe container, and after the daemon restarts (same
    /// directory, same socket path) the next run probes again and records what it found.
    static func factsSurviveOnlyTheDaemon(
        engines: PrivateEngine, name: String, dockerd: String, record: EngineRecord, folder: URL
    ) async throws {
        let cache = EngineFactsCache(folder: folder.appendingPathComponent("engine-facts"))
        let scenario = try ScenarioLoader.load(
            yaml: """
                version: 1
                name: facts
                repeat: 1
                outer:
                  image: dindlab/outer:bookworm
                inner:
                  command: [sh, -c, "echo ok"]
                """, file: "facts.yaml")
        /// Runs the scenario on the engine; returns its manifest's fingerprint and how many
        /// privilege probe containers the engine saw during the run.
        func run(on dockerHost: String) async throws -> (EngineFingerprint, Int) {
            let client = EngineClient(address: try EngineAddress(parsing: dockerHost))
            let since = Int(Date().timeIntervalSince1970) - 1
            let selection = EngineSelection(name: "old", address: try EngineAddress(parsing: dockerHost))
            var options = RunOptions(resultsRoot: folder.appendingPathComponent("facts-results"))
            options.engineFactsCache = cache
            let result = try await Runner(engines: [selection], options: options).run(
                plan: try Plan(scenarios: [scenario], seed: 1))
            #expect(result.summary.scenarios.first?.cells.first?.passes == 1)
            let events = try await client.events(
                since: since, until: Int(Date().timeIntervalSince1970) + 1,
                filters: ["type": ["container"], "event": ["create"], "label": ["dindlab.probe"]])
            return (try #require(result.manifest.engines.first?.fingerprint), events.count)
        }
        let (first, firstProbes) = try await run(on: record.dockerHost)
        #expect(firstProbes > 0, "the first run on a daemon probes it")
        let (second, secondProbes) = try await run(on: record.dockerHost)
        #expect(secondProbes == 0, "a second run on the same daemon reuses what the first learnt")
        #expect(second == first)

        _ = try await engines.down(name: name)
        let restarted = try await engines.up(name: name, binary: dockerd)
        #expect(restarted.dockerHost == record.dockerHost)
        let (third, thirdProbes) = try await run(on: restarted.dockerHost)
        #expect(thirdProbes > 0, "a restarted daemon is probed again, never served the facts of the one before")
        #expect(
            third.privilegedSupported == first.privilegedSupported
                && third.refusedCapabilities == first.refusedCapabilities)
    }

    /// Copies one file out of an image through the Engine API (a created, never started container).
    static func extract(_ path: String, from image: String, using client: EngineClient, into folder: URL) async throws
        -> URL
    {
        var config = ContainerConfig(image: image, cmd: ["true"])
        config.labels = RealEngine.labels(test: "extract")
        let container = try await client.createContainer(config)
        defer { Task { try? await client.removeContainer(container.id) } }
        let tar = try await client.getArchive(container.id, path: path)
        try await client.removeContainer(container.id)
        let tarFile = folder.appendingPathComponent("extract.tar")
        try tar.write(to: tarFile)
        try await run("/bin/tar", ["-xf", tarFile.path, "-C", folder.path])
        return folder.appendingPathComponent((path as NSString).lastPathComponent)
    }

    /// Runs the dindlab executable this package built.
    static func dindlab(_ arguments: [String]) async throws {
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../.build/debug/dindlab"
        ).standardized
        try await run(binary.path, arguments)
    }

    /// Runs a program off the cooperative pool (see `offThePool`); throws unless it exits 0.
    static func run(_ executable: String, _ arguments: [String]) async throws {
        try await offThePool { try runBlocking(executable, arguments) }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSetupError(
                "\(executable) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)")
        }
    }
}

/// What of the host an engine must not change: iptables rules, /etc/docker, /var/run/docker.
struct HostSnapshot: Equatable {
    var iptables: String
    var etcDocker: [String]
    var runDocker: [String]

    static func take() -> HostSnapshot {
        HostSnapshot(
            iptables: iptablesRules(), etcDocker: listing("/etc/docker"), runDocker: listing("/var/run/docker"))
    }

    static func listing(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? ["(absent)"]).sorted()
    }

    static func iptablesRules() -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "iptables-save 2>/dev/null | grep -v '^#'"]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return "(iptables-save failed)" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // Packet counters change on their own; compare rules only.
        return String(decoding: data, as: UTF8.self).replacingOccurrences(
            of: #"\[\d+:\d+\]"#, with: "", options: .regularExpression)
    }
}
