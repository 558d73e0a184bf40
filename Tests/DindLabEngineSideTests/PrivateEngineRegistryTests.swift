import DockerEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// Named engines whose directories lie anywhere (`up --name N --dir D`), and `up` on a directory
/// whose daemon is alive, with stand-in daemons (see PrivateEngineStandInTests).
@Suite(
    "Private engines by name, wherever their directory is",
    .enabled(if: EngineTestHost.canIsolate, EngineTestHost.isolationComment),
    .serialized)
struct PrivateEngineRegistryTests {
    struct Setup {
        let root: String
        let standIn: StandInDaemon
        /// A second daemon binary (another version), written before anything runs.
        let other: StandInDaemon
        let engines: PrivateEngine
        let environment: [String: String]

        init(version: String = "1.7.1") throws {
            root = try EngineTestHost.temporaryDirectory()
            standIn = try StandInDaemon(version: version, shape: .docker, root: root + "/s")
            other = try StandInDaemon(version: "1.9.1", shape: .docker, root: root + "/o")
            environment = EngineTestHost.environment.merging(["XDG_STATE_HOME": root + "/state"]) { $1 }
            engines = PrivateEngine(probe: standIn.probe, environment: environment)
        }
    }

    @Test("a name given with --dir finds its engine: list, status, selection and down")
    func nameFindsDirectory() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.root) }
        let directory = setup.root + "/elsewhere/v17"
        let record = try await setup.engines.up(
            name: "v17", dir: directory, binary: setup.standIn.binary, registerName: true)
        #expect(record.directory == directory)
        // Stand-ins make no socket; the selection looks for one.
        _ = FileManager.default.createFile(atPath: directory + "/docker.sock", contents: nil)
        // The engines folder holds the name as a symlink to the directory.
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: setup.root + "/state/dindlab/engines/v17")
                == directory)

        let listed = await setup.engines.list()
        #expect(listed.map(\.name) == ["v17"])
        #expect(listed.first?.layout.directory == directory && listed.first?.isRunning == true)
        #expect(try await setup.engines.status(name: "v17").record?.pid == record.pid)
        #expect(try setup.engines.running(name: "v17")?.pid == record.pid)
        let selection = try EngineSelection.resolve("v17", environment: setup.environment)
        #expect(selection.address.endpoint == .unix(path: directory + "/docker.sock"))
        #expect(selection.localDaemonPID == record.pid)

        let report = try await setup.engines.down(name: "v17")
        #expect(report.daemonPID == record.pid)
        #expect(!ProcessTable.isRunning(record.pid, startTicks: record.processStartTicks))
        // Stopped, it is still listed by its name, as not running.
        #expect(await setup.engines.list().map { "\($0.name) \($0.isRunning)" } == ["v17 false"])
    }

    @Test("a second up of a running engine reuses it; another name or binary is refused; no second daemon")
    func secondUpReuses() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.root) }
        let other = setup.other
        let directory = setup.root + "/e"
        let (first, reusedAtFirst) = try await setup.engines.upOrReuse(
            name: "v17", dir: directory, binary: setup.standIn.binary, registerName: true)
        #expect(!reusedAtFirst)
        let marker = EngineLayout(directory: directory).namespaceScratch
        let processes = ProcessTable.processes(markedBy: marker)

        for name in ["v17", PrivateEngine.defaultName] {
            let (again, reused) = try await setup.engines.upOrReuse(name: name, dir: directory)
            #expect(reused && again.pid == first.pid)
        }
        let (same, reusedWithBinary) = try await setup.engines.upOrReuse(
            name: "v17", dir: directory, binary: setup.standIn.binary)
        #expect(reusedWithBinary && same.pid == first.pid)

        let otherName = await #expect(throws: PrivateEngineError.self) {
            try await setup.engines.upOrReuse(name: "v19", dir: directory)
        }
        #expect(
            otherName?.code == .alreadyRunning
                && otherName?.description.contains("already runs the private engine v17") == true)
        let otherBinary = await #expect(throws: PrivateEngineError.self) {
            try await setup.engines.upOrReuse(name: "v17", dir: directory, binary: other.binary)
        }
        #expect(otherBinary?.code == .alreadyRunning)
        // Still the one daemon and its own processes.
        #expect(ProcessTable.processes(markedBy: marker) == processes)

        try await setup.engines.down(name: "v17")
    }

    @Test("a name that stands for a running engine elsewhere is not taken by another directory")
    func runningNameNotTaken() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.root) }
        let second = setup.other
        let secondEngines = PrivateEngine(probe: second.probe, environment: setup.environment)
        let first = try await setup.engines.up(
            name: "v17", dir: setup.root + "/a", binary: setup.standIn.binary, registerName: true)
        let error = await #expect(throws: PrivateEngineError.self) {
            try await secondEngines.up(name: "v17", dir: setup.root + "/b", binary: second.binary, registerName: true)
        }
        #expect(error?.code == .alreadyRunning && error?.description.contains(setup.root + "/a") == true)
        #expect(!FileManager.default.fileExists(atPath: setup.root + "/b/engine.json"), "no daemon was started in b")
        try await setup.engines.down(name: "v17")
        #expect(!ProcessTable.isRunning(first.pid, startTicks: first.processStartTicks))

        // Stopped, its name moves to the new directory.
        let moved = try await secondEngines.up(
            name: "v17", dir: setup.root + "/b", binary: second.binary, registerName: true)
        #expect(try setup.engines.layout(name: "v17").directory == setup.root + "/b")
        try await secondEngines.down(name: "v17")
        #expect(!ProcessTable.isRunning(moved.pid, startTicks: moved.processStartTicks))
    }
}
