import DockerEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// The second engine of the cgroup v2 tests: a private engine that scripts/test starts with
/// `--cgroup-version 2` (simulated on this v1 host, the host's own on a v2 host), with the
/// bookworm outer image, named in DINDLAB_TEST_ENGINE_V2.
enum V2Engine {
    static let address: String? = {
        let value = ProcessInfo.processInfo.environment["DINDLAB_TEST_ENGINE_V2"] ?? ""
        return value.isEmpty ? nil : value
    }()

    static let isAvailable =
        RealEngine.isAvailable && RealEngine.outerImage == "dindlab/outer:bookworm" && address != nil

    static let unavailableReason: Comment =
        "needs the test engine, a second engine started with --cgroup-version 2 (DINDLAB_TEST_ENGINE_V2) and dindlab/outer:bookworm on both: scripts/test provides them (see its output for why it could not)"

    static func selection(name: String = "v2") throws -> EngineSelection {
        EngineSelection(name: name, address: try EngineAddress(parsing: address!))
    }

    /// Whether a simulated v2 engine here would have controllers to enable: its cgroup is a
    /// child of the host's unified root, so it gets what the root's cgroup.subtree_control
    /// delegates. On a real v2 host the engine's root has them all.
    static let controllersUnavailable: String? = {
        let mounts = MountTable.read()
        if CgroupVersion.mounted(in: mounts) == .v2 { return nil }
        guard let unified = mounts.first(where: { $0.fileSystemType == "cgroup2" })?.mountPoint else {
            return "this host has no unified hierarchy"
        }
        let delegated =
            (try? String(contentsOfFile: unified + "/cgroup.subtree_control", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return delegated.isEmpty
            ? "the simulated cgroup v2 engine has no controllers: this host's unified hierarchy (\(unified)) delegates none to its children (its cgroup.subtree_control is empty; the v1 hierarchies hold cpu, memory, io and pids), so the nesting step has nothing to enable"
            : nil
    }()
}

@Suite(
    "cgroup v2 end to end: a simulated v2 engine beside the v1 test engine",
    .enabled(if: V2Engine.isAvailable, V2Engine.unavailableReason), .serialized)
struct CgroupV2EndToEndTests {
    @Test(
        "a private engine started with --cgroup-version 2 reports cgroup version 2, its namespace mode and controllers"
    )
    func reportsVersion2() async throws {
        let selection = try V2Engine.selection()
        let client = EngineClient(address: selection.address)
        _ = try await client.negotiate()
        let fingerprint = try await FingerprintCollector(client: client).collect(
            privilege: nil, daemonPID: selection.localDaemonPID)
        #expect(fingerprint.cgroupVersion == "2")
        #expect(fingerprint.cgroupNamespaceMode == "private")
        let controllers = try #require(
            fingerprint.cgroupControllers,
            "the daemon runs on this machine, so its controllers are readable")
        if fingerprint.cgroupSimulated == true {
            #expect(!controllers.contains { ["cpu", "memory", "io", "pids"].contains($0) })
            #expect(
                fingerprint.lines.contains {
                    $0.name == "cgroup controllers" && $0.value.contains("no resource controllers")
                })
        }
    }

    @Test(
        "one run over a v1 and a v2 engine: read-only cgroups fail with the inner daemon's cgroup error, the writable namespace passes; both fingerprints in the manifest"
    )
    func matrixOverBothEngines() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-cgv2-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try ScenarioLoader.load(
            yaml: """
                version: 1
                name: cgroup-v2
                repeat: 2
                timeout: 120s
                outer:
                  image: dindlab/outer:bookworm
                daemon:
                  ready-timeout: 45s
                inner:
                  command: [sh, -c, "echo ok"]
                  expect-output: "^ok"
                matrix:
                  engine: [v1, v2]
                  outer.cgroups: [engine, private]
                """, file: "cgroup-v2.yaml")
        let selections = [
            EngineSelection(name: "v1", address: try EngineAddress(parsing: RealEngine.address!)),
            try V2Engine.selection(),
        ]
        let result = try await Runner(engines: selections, options: RunOptions(resultsRoot: folder))
            .run(plan: try Plan(scenarios: [scenario], seed: 1))
        let cells = try #require(result.summary.scenarios.first?.cells)
        func cell(_ engine: String, _ cgroups: String) throws -> CellTally {
            try #require(
                cells.first { $0.engine == engine && $0.cellID.contains("outer.cgroups=\(cgroups)") },
                "no cell \(engine) \(cgroups)")
        }
        let described = cells.map {
            "\($0.cellID): \($0.passes)/\($0.trials) \($0.signatures.map(\.signature))"
        }.joined(separator: "\n")
        // v2: the inner daemon cannot create its cgroup in the read-only cgroup2 mount.
        let readOnlyV2 = try cell("v2", "engine")
        #expect(readOnlyV2.trials == 2 && readOnlyV2.passes == 0, "\(described)")
        #expect(
            readOnlyV2.signatures.first?.signature.contains(
                "unable to apply cgroup configuration: mkdir /sys/fs/cgroup/docker: read-only file system")
                == true, "\(described)")
        // v1 keeps its results: the read-only hierarchies fail the same way, one level down.
        let readOnlyV1 = try cell("v1", "engine")
        #expect(readOnlyV1.passes == 0, "\(described)")
        #expect(
            readOnlyV1.signatures.first?.signature.contains("mkdir /sys/fs/cgroup/") == true,
            "\(described)")
        #expect(
            readOnlyV1.signatures.first?.signature.contains("read-only file system") == true,
            "\(described)")
        for engine in ["v1", "v2"] {
            let writable = try cell(engine, "private")
            #expect(writable.trials == 2 && writable.passes == 2, "\(described)")
        }

        let fingerprints = Dictionary(
            uniqueKeysWithValues: result.manifest.engines.map { ($0.name, $0.fingerprint) })
        #expect(fingerprints["v1"]?.cgroupVersion == "1")
        #expect(fingerprints["v1"]?.cgroupNamespaceMode == "host")
        #expect(fingerprints["v2"]?.cgroupVersion == "2")
        #expect(fingerprints["v2"]?.cgroupNamespaceMode == "private")
        // A failed v2 trial's artifacts hold the outer container's cgroup files.
        let failed = try #require(
            result.records.first { $0.engine == "v2" && $0.cellID.contains("outer.cgroups=engine") })
        let files = try String(
            contentsOf: result.directory.appendingPathComponent(
                "artifacts/\(failed.trialID)/cgroup-files.txt"), encoding: .utf8)
        #expect(files.contains("cgroup2") && files.contains(" ro,"), "\(files)")
        #expect(
            files.contains("cgroup.controllers:") && files.contains("cgroup.subtree_control:")
                && files.contains("cgroup.type: domain"), "\(files)")
    }

    /// Starts an idle outer container (`cgroups: private`, privileged as the engine allows),
    /// runs dindlab's cgroup steps in it, and returns their output and the container.
    private static func nestedOuter(on selection: EngineSelection) async throws -> (
        client: EngineClient, id: String, output: String
    ) {
        let client = EngineClient(address: selection.address)
        let apiVersion = try await client.negotiate()
        let labels = RealEngine.labels(test: "cgroup-nesting")
        let privilege = try await PrivilegeProbe(
            client: client, image: "dindlab/outer:bookworm", labels: labels,
            daemonPID: selection.localDaemonPID
        ).run()
        let request = OuterContainerRequest(
            image: "dindlab/outer:bookworm", command: OuterScripts.idleStart(), privileged: true,
            cgroups: .private, network: "none", env: [:], labels: labels)
        let engineVersion = try await client.info().cgroupVersion
        let created = try await client.createContainer(
            request.containerConfig(
                apiVersion: apiVersion, privilege: privilege, engineCgroupVersion: engineVersion))
        do {
            try await client.startContainer(created.id)
            let prelude = try #require(
                TrialExecutor.cgroupSteps(
                    for: Scenario(
                        name: "nesting",
                        outer: Scenario.Outer(image: "dindlab/outer:bookworm", cgroups: .private, cgroupNesting: true)))
            )
            let result = try await client.exec(
                in: created.id, ["sh", "-c", prelude.script], timeout: .seconds(30))
            #expect(result.exitCode == 0, "\(prelude.title): \(result.output.stderrText)")
            return (client, created.id, result.output.stdoutText + result.output.stderrText)
        } catch {
            try? await client.removeContainer(created.id)
            throw error
        }
    }

    private static func read(_ path: String, in id: String, client: EngineClient) async throws
        -> String
    {
        try await client.exec(in: id, ["cat", path], timeout: .seconds(15)).output.stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(
        "the nesting step moves every process of the outer container's cgroup into init/ and says what it enabled"
    )
    func nestingMovesProcesses() async throws {
        let (client, id, output) = try await Self.nestedOuter(on: try V2Engine.selection())
        defer { Task { try? await client.removeContainer(id) } }
        // An exec joins the container's own cgroup, so the check's own processes are there; no other may be.
        let leftCheck =
            #"for p in $(cat /sys/fs/cgroup/cgroup.procs); do [ -e /proc/$p ] || continue; [ "$p" = $$ ] || [ "$(cut -d' ' -f4 /proc/$p/stat)" = $$ ] || cat /proc/$p/cmdline | tr '\0' ' '; done"#
        let left = try await client.exec(in: id, ["sh", "-c", leftCheck], timeout: .seconds(15)).output
            .stdoutText
        #expect(left.isEmpty, "processes left in the container's own cgroup: \(left)")
        let moved = try await Self.read("/sys/fs/cgroup/init/cgroup.procs", in: id, client: client)
        #expect(moved.split(separator: "\n").contains("1"), "PID 1 is in init/: \(moved)")
        #expect(
            try await Self.read("/proc/1/cgroup", in: id, client: client).split(separator: "\n").contains(
                "0::/init"))
        let controllers = try await Self.read(
            "/sys/fs/cgroup/cgroup.controllers", in: id, client: client)
        let subtree = try await Self.read(
            "/sys/fs/cgroup/cgroup.subtree_control", in: id, client: client)
        #expect(subtree == controllers, "every available controller is enabled for the children")
        #expect(
            output.contains(
                controllers.isEmpty
                    ? "has no controllers (cgroup.controllers is empty)" : "enabled in cgroup.subtree_control"
            ), "\(output)")
    }

    @Test(
        "the nesting step enables the engine's controllers for the outer container's children",
        .enabled(
            if: V2Engine.controllersUnavailable == nil,
            Comment(rawValue: V2Engine.controllersUnavailable ?? "")))
    func nestingEnablesControllers() async throws {
        let (client, id, _) = try await Self.nestedOuter(on: try V2Engine.selection())
        defer { Task { try? await client.removeContainer(id) } }
        let subtree = try await Self.read(
            "/sys/fs/cgroup/cgroup.subtree_control", in: id, client: client)
        #expect(!subtree.isEmpty)
        #expect(
            subtree == (try await Self.read("/sys/fs/cgroup/cgroup.controllers", in: id, client: client)))
    }

    @Test("on a v1 engine the nesting step does nothing and says so")
    func nestingIsANoOpOnV1() async throws {
        let (client, id, output) = try await Self.nestedOuter(
            on: EngineSelection(name: "v1", address: try EngineAddress(parsing: RealEngine.address!)))
        defer { Task { try? await client.removeContainer(id) } }
        #expect(
            output.contains("cgroup nesting: nothing to do: /sys/fs/cgroup is tmpfs, not cgroup v2"),
            "\(output)")
        #expect(
            try await client.exec(in: id, ["test", "-e", "/sys/fs/cgroup/init"], timeout: .seconds(15))
                .exitCode != 0)
    }
}
