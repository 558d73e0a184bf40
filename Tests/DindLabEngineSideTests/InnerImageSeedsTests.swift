import DockerEngine
import FakeEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// The inner image's seed (`InnerImageSeeds`): taken from one stand-in container root, put into
/// another, through the gate a `start: cmd` command waits at. A fake engine answers the /info
/// the capture asks the inner daemon.
@Suite("The inner image from the cell's seed")
struct InnerImageSeedsTests {
    typealias StandIn = OuterRootTests.StandIn

    static func scenario(isolation: Scenario.Isolation = .trial) throws -> Scenario {
        let yaml = """
            version: 1
            name: seeds
            isolation: \(isolation.rawValue)
            outer:
              image: dindlab/outer:bookworm
            inner:
              command: [true]
            """
        return try ScenarioLoader.load(yaml: yaml, file: "seeds.yaml")
    }

    @Test(
        "which trials take the seed, and why not",
        arguments: [
            (
                Scenario.Isolation.trial, nil as String?, ["/usr/bin/dockerd", "--bridge=none"], APIVersion(1, 41), [:],
                nil
            ),
            (.trial, nil, ["dockerd"], APIVersion(1, 41), [InnerImageSeeds.variable: "import"], "=import"),
            (.trial, "the engine is not on this machine", ["dockerd"], APIVersion(1, 41), [:], "no host route"),
            (.cell, nil, ["dockerd"], APIVersion(1, 41), [:], "isolation: cell"),
            (.trial, nil, ["dockerd"], APIVersion(1, 21), [:], "volume"),
            (.trial, nil, ["docker", "daemon"], APIVersion(1, 41), [:], "not a dockerd"),
            (.trial, nil, ["/usr/bin/docker", "-d"], APIVersion(1, 41), [:], "not a dockerd"),
        ] as [(Scenario.Isolation, String?, [String], APIVersion, [String: String], String?)])
    func eligibility(
        isolation: Scenario.Isolation, route: String?, daemon: [String], api: APIVersion, environment: [String: String],
        reason: String?
    ) throws {
        let found = InnerImageSeeds.unusableReason(
            scenario: try Self.scenario(isolation: isolation), routeUnusable: route, daemonCommand: daemon,
            apiVersion: api, processEnvironment: environment)
        if let reason {
            #expect(found?.contains(reason) == true, "\(found ?? "nil")")
        } else {
            #expect(found == nil, "\(found ?? "")")
        }
    }

    @Test("the command waits at the seed gate after the setup lines and before the daemon, only when asked")
    func gateLine() throws {
        let gated = try #require(
            OuterScripts.commandStart(setup: ["echo one"], daemon: ["dockerd"], seedGate: true).last)
        let lines = gated.split(separator: "\n").map(String.init)
        let gate = try #require(lines.firstIndex { $0.contains("mkfifo \(InnerImageSeeds.gate)") })
        let setup = try #require(lines.firstIndex { $0.contains("echo one") })
        let daemon = try #require(lines.firstIndex { $0.contains("'dockerd'") })
        #expect(setup < gate && gate < daemon)
        #expect(lines[gate].contains("read _ <\(InnerImageSeeds.gate)"))
        let plain = try #require(OuterScripts.commandStart(setup: ["echo one"], daemon: ["dockerd"]).last)
        #expect(!plain.contains("seed.gate"))
    }

    /// A stand-in data root as a dockerd with the overlay2 driver leaves it after an import:
    /// the image store, a layer with a hard link and the short-name link, and a folder that
    /// is not part of the seed.
    static func importedDataRoot(in standIn: StandIn) throws {
        let root = standIn.folder.appendingPathComponent("var/lib/docker")
        let manager = FileManager.default
        for dir in ["image/overlay2/imagedb", "overlay2/abc/diff/bin", "overlay2/l", "containers/old"] {
            try manager.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        try Data("{\"Repositories\":{}}".utf8).write(
            to: root.appendingPathComponent("image/overlay2/repositories.json"))
        try Data("busybox binary".utf8).write(to: root.appendingPathComponent("overlay2/abc/diff/bin/busybox"))
        try manager.linkItem(
            at: root.appendingPathComponent("overlay2/abc/diff/bin/busybox"),
            to: root.appendingPathComponent("overlay2/abc/diff/bin/sh"))
        try manager.createSymbolicLink(
            atPath: root.appendingPathComponent("overlay2/l/SHORT").path, withDestinationPath: "../abc/diff")
        try Data("x".utf8).write(to: root.appendingPathComponent("containers/old/config.json"))
    }

    static func emptyDataRoot(in standIn: StandIn) throws {
        try FileManager.default.createDirectory(
            at: standIn.folder.appendingPathComponent("var/lib/docker"), withIntermediateDirectories: true)
    }

    /// A seed taken (cell "seeds/default") from a stand-in root after an import, and a second,
    /// fresh stand-in root to put it into.
    static func withSeed(
        _ body: (InnerImageSeeds, InnerImageSeeds.Seed, _ fresh: StandIn) async throws -> Void
    ) async throws {
        try await FakeEngine.withRunning(.docker20dot10) { engine in
            let first = try StandIn(socket: engine.socketPath, files: [:])
            let second = try StandIn(socket: nil, files: [:])
            defer {
                first.remove()
                second.remove()
            }
            try importedDataRoot(in: first)
            try emptyDataRoot(in: second)
            let seeds = InnerImageSeeds()
            let client = EngineClient(address: EngineAddress(endpoint: .unix(path: first.root.socketPath)))
            let detail = await seeds.capture(cell: "seeds/default", from: first.root, client: client)
            try await body(seeds, try #require(seeds.seed(forCell: "seeds/default"), "\(detail)"), second)
        }
    }

    @Test("a seed taken after an import brings the image store and layers, hard and symbolic links intact")
    func roundTrip() async throws {
        try await Self.withSeed { seeds, seed, second async throws in
            #expect(seed.driver == "overlay2" && seed.dataRoot == "/var/lib/docker")
            #expect(seeds.seed(forCell: "seeds/other") == nil)

            #expect(await seeds.plant(seed, into: second.root) == nil)
            let planted = second.folder.appendingPathComponent("var/lib/docker")
            let busybox = planted.appendingPathComponent("overlay2/abc/diff/bin/busybox").path
            let sh = planted.appendingPathComponent("overlay2/abc/diff/bin/sh").path
            #expect(try String(contentsOfFile: busybox, encoding: .utf8) == "busybox binary")
            var one = stat()
            var other = stat()
            #expect(stat(busybox, &one) == 0 && stat(sh, &other) == 0)
            #expect(one.st_ino == other.st_ino, "the hard link became a copy")
            #expect(
                try FileManager.default.destinationOfSymbolicLink(
                    atPath: planted.appendingPathComponent("overlay2/l/SHORT").path) == "../abc/diff")
            #expect(
                FileManager.default.fileExists(
                    atPath: planted.appendingPathComponent("image/overlay2/repositories.json").path))
            #expect(!FileManager.default.fileExists(atPath: planted.appendingPathComponent("containers").path))
        }
    }

    @Test("no seed is taken where the daemon's data root lacks what its /info names")
    func nothingToTake() async throws {
        try await FakeEngine.withRunning(.docker20dot10) { engine in
            let standIn = try StandIn(socket: engine.socketPath, files: [:])
            defer { standIn.remove() }
            try Self.emptyDataRoot(in: standIn)
            let seeds = InnerImageSeeds()
            let client = EngineClient(address: EngineAddress(endpoint: .unix(path: standIn.root.socketPath)))
            let detail = await seeds.capture(cell: "c", from: standIn.root, client: client)
            #expect(detail.contains("/var/lib/docker/image/overlay2 does not exist"), "\(detail)")
            #expect(seeds.seed(forCell: "c") == nil)
        }
    }

    /// Runs what the gated command does at the gate, in a real shell: create the FIFO, read a
    /// line from it, then say whether the seed was in the data root by then.
    static func gatedShell(in standIn: StandIn) throws -> (process: Process, marker: String) {
        let gate = standIn.root.hostPath(InnerImageSeeds.gate)
        let marker = standIn.folder.appendingPathComponent("dindlab/run/after-gate").path
        let seeded = standIn.folder.appendingPathComponent("var/lib/docker/image/overlay2/repositories.json").path
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = [
            "-c",
            "mkfifo '\(gate)' && read _ <'\(gate)'; if [ -e '\(seeded)' ]; then echo seeded; else echo bare; fi >'\(marker)'",
        ]
        try shell.run()
        return (shell, marker)
    }

    @Test("at the gate: the seed is in place before the command goes on to start the daemon")
    func gate() async throws {
        try await Self.withSeed { seeds, seed, second async throws in
            let (shell, marker) = try Self.gatedShell(in: second)
            defer { if shell.isRunning { shell.terminate() } }
            let problem = await seeds.plantAtGate(seed, into: second.root, timeout: .seconds(20))
            #expect(problem == nil, "\(problem ?? "")")
            shell.waitUntilExit()
            #expect(try String(contentsOfFile: marker, encoding: .utf8) == "seeded\n")
        }
    }

    @Test("a command that never reaches the gate is not waited for: a failed setup line or a daemon started anyway")
    func gateNotReached() async throws {
        for (file, expected) in [
            ("dindlab/run/setup.failed", "a setup line failed"), ("dindlab/run/daemon.pid", "without waiting"),
        ] {
            let standIn = try StandIn(socket: nil, files: [file: "1\n"])
            defer { standIn.remove() }
            try Self.emptyDataRoot(in: standIn)
            let seed = InnerImageSeeds.Seed(file: "/nonexistent.tar", dataRoot: "/var/lib/docker", driver: "overlay2")
            let problem = await InnerImageSeeds().plantAtGate(seed, into: standIn.root, timeout: .seconds(20))
            #expect(problem?.contains(expected) == true, "\(problem ?? "nil")")
        }
    }

    @Test("a seed that cannot be put in leaves no half store behind and says why")
    func failedPlant() async throws {
        let standIn = try StandIn(socket: nil, files: [:])
        defer { standIn.remove() }
        let seed = InnerImageSeeds.Seed(file: "/nonexistent.tar", dataRoot: "/var/lib/docker", driver: "overlay2")
        let missing = await InnerImageSeeds().plant(seed, into: standIn.root)
        #expect(missing?.contains("/var/lib/docker is not a folder") == true, "\(missing ?? "nil")")
        try Self.emptyDataRoot(in: standIn)
        let broken = await InnerImageSeeds().plant(seed, into: standIn.root)
        #expect(broken?.contains("could not be put into /var/lib/docker") == true, "\(broken ?? "nil")")
        #expect(
            !FileManager.default.fileExists(
                atPath: standIn.folder.appendingPathComponent("var/lib/docker/overlay2").path))
    }
}
