import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation
import Testing

/// Real Docker 1.7.1, 1.8.3 and 1.9.1 daemons, from a directory the user names in
/// DINDLAB_DOCKER_BINARIES (holding `docker-1.7.1`, `docker-1.8.3`, `docker-1.9.1`: the
/// releases are no longer published, so these are your own builds or copies). Without it the
/// tests report "skipped" with the reason. CI has no such binaries: the fake engine's 1.7 /
/// 1.8 / 1.9 personas guard the same behaviours there (FakeEngineOldPersonaTests).
enum OldDockerBinaries {
    static let versions = ["1.7.1", "1.8.3", "1.9.1"]
    static let directory: String? = {
        let value = ProcessInfo.processInfo.environment["DINDLAB_DOCKER_BINARIES"] ?? ""
        return value.isEmpty ? nil : value
    }()

    /// nil when the tests can run, else why not.
    static let unavailableReason: String? = {
        guard let directory else {
            return
                "DINDLAB_DOCKER_BINARIES is not set: name a directory holding docker-1.7.1, docker-1.8.3 and docker-1.9.1"
        }
        let missing = versions.map { "\(directory)/docker-\($0)" }.filter {
            !FileManager.default.isExecutableFile(atPath: $0)
        }
        guard missing.isEmpty else {
            return "DINDLAB_DOCKER_BINARIES=\(directory) lacks executable \(missing.joined(separator: ", "))"
        }
        guard getuid() == 0 else { return "needs root: private engines get their own mount and network namespaces" }
        guard FileManager.default.isExecutableFile(atPath: OldEngineCLI.binary.path) else {
            return "build dindlab first (swift build)"
        }
        return nil
    }()

    static func binary(_ version: String) -> String { "\(directory ?? "")/docker-\(version)" }
}

/// Runs the dindlab executable with engines of its own (XDG_STATE_HOME) and no DOCKER_*.
struct OldEngineCLI {
    static var binary: URL { CommandLine.binary }
    let state: String

    func run(_ arguments: [String]) async throws -> CommandLine.Result {
        try await CommandLine.run(arguments, adding: ["XDG_STATE_HOME": state])
    }

    func runBlocking(_ arguments: [String]) throws -> CommandLine.Result {
        try CommandLine.runBlocking(arguments, adding: ["XDG_STATE_HOME": state])
    }
}

@Suite(
    "Docker 1.7.1 / 1.8.3 / 1.9.1 as real engines",
    .enabled(
        if: OldDockerBinaries.unavailableReason == nil, Comment(rawValue: OldDockerBinaries.unavailableReason ?? "")),
    .serialized)
struct OldEnginesEndToEndTests {
    /// The engine names and their versions.
    static let engines = [("v17", "1.7.1", "1.19"), ("v18", "1.8.3", "1.20"), ("v19", "1.9.1", "1.21")]

    @Test("three named engines anywhere: list, info, images build, a scenario on each, down --name; the host unchanged")
    func threeEngines() async throws {
        let hostBefore = HostSnapshot.take()
        var template = Array("/tmp/dl-old-XXXXXX".utf8CString)
        let root = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cli = OldEngineCLI(state: root + "/state")
        defer {
            for (name, _, _) in Self.engines { _ = try? cli.runBlocking(["engine", "down", "--name", name]) }
        }

        // Up side by side, each in a directory of its own outside the engines folder.
        for (name, version, _) in Self.engines {
            let up = try await cli.run([
                "engine", "up", "--name", name, "--dir", "\(root)/\(name)", "--binary",
                OldDockerBinaries.binary(version),
            ])
            #expect(up.status == 0, "\(up.text)")
            #expect(up.stdout == "export DOCKER_HOST=unix://\(root)/\(name)/docker.sock\n")
        }
        // A second up of a running engine starts no second daemon: it reuses the first.
        let again = try await cli.run(["engine", "up", "--dir", "\(root)/v17"])
        #expect(again.status == 0 && again.stderr.contains("reusing it, no second daemon"), "\(again.text)")
        let env = try await cli.run(["engine", "env", "--name", "v19"])
        #expect(env.stdout == "export DOCKER_HOST=unix://\(root)/v19/docker.sock\n", "\(env.text)")

        let list = try await cli.run(["engine", "list"])
        for (name, version, api) in Self.engines {
            let row = list.stdout.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map(String.init) ?? ""
            let columns = row.split(separator: " ").map(String.init)
            #expect(
                columns.count == 6 && columns[1] == version && columns[2] == api && columns[4] == "yes"
                    && columns[5] == "\(root)/\(name)", "\(list.text)")
        }

        for (name, version, _) in Self.engines {
            // engine info answers with a privilege probe that learnt what the engine grants.
            let info = try await cli.run(["engine", "info", "--engine", name])
            #expect(info.status == 0, "\(info.text)")
            #expect(
                info.stdout.contains("daemon version        \(version)")
                    || info.stdout.contains("daemon version       \(version)"), "\(info.text)")
            #expect(!info.stdout.contains("(unknown: The privilege probe"), "the probe failed on \(name): \(info.text)")
            let build = try await cli.run(["images", "build", "bookworm", "--engine", name])
            #expect(build.status == 0, "\(build.text)")
            let images = try await cli.run(["images", "list", "--engine", name])
            #expect(
                images.stdout.split(separator: "\n").contains {
                    $0.hasPrefix("bookworm ") && $0.contains(" built ") && $0.contains("dockerd")
                }, "\(images.text)")
        }

        // A scenario over the three engines: trials recorded on each.
        let scenario = root + "/engines.yaml"
        try Self.scenario.write(toFile: scenario, atomically: true, encoding: .utf8)
        let run = try await cli.run([
            "run", scenario, "--repeat", "1", "--jobs", "2", "--seed", "1", "--out", root + "/results",
        ])
        let runDirectory = try #require(
            run.text.split(separator: "\n").last { $0.hasPrefix("Results: ") }.map {
                String($0.dropFirst("Results: ".count))
            }, "\(run.text)")
        let summary =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: runDirectory + "/summary.json"))) as? [String: Any]
        let cells = ((summary?["scenarios"] as? [[String: Any]])?.first?["cells"] as? [[String: Any]]) ?? []
        func cell(_ engine: String, _ cgroups: String, _ start: String) -> [String: Any]? {
            cells.first {
                ($0["cellID"] as? String) == "engine=\(engine),outer.cgroups=\(cgroups),daemon.start=\(start)"
            }
        }
        #expect(cells.count == 12, "\(run.text)")
        for start in ["cmd", "exec"] {
            // 1.9.1 with cgroups bound read-write passes from CMD and exec.
            let bound = cell("v19", "bind", start)
            #expect((bound?["passes"] as? Int) == 1, "\(bound ?? [:])")
            // 1.7.1 mounts no cgroups: the inner daemon's own cgroup error is the signature.
            let none = cell("v17", "none", start)
            let signatures = (none?["signatures"] as? [[String: Any]])?.compactMap { $0["signature"] as? String } ?? []
            #expect(
                (none?["fails"] as? Int) == 1 && signatures.contains { $0.contains("cgroup isn't mounted") },
                "\(none ?? [:])")
        }

        for (name, _, _) in Self.engines {
            let down = try await cli.run(["engine", "down", "--name", name])
            #expect(down.status == 0 && down.stderr.contains("Stopped the private engine \(name)"), "\(down.text)")
        }
        #expect(HostSnapshot.take() == hostBefore)
    }

    static let scenario = """
        version: 1
        name: engines
        repeat: 1
        timeout: 120s
        outer:
          image: dindlab/outer:bookworm
        daemon:
          ready-timeout: 45s
        inner:
          command: [sh, -c, "echo ok"]
          expect-output: "^ok"
        matrix:
          engine: [v17, v18, v19]
          outer.cgroups: [none, bind]
          daemon.start: [cmd, exec]
        """
}
