import DockerEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

@Suite("cgroup versions: engine up --cgroup-version, the daemon's cgroup view, v2 forensics")
struct CgroupVersionTests {
    static func mount(_ point: String, _ type: String, _ options: String = "rw") -> MountEntry {
        MountEntry(
            mountID: 1, parentID: 0, mountPoint: point, fileSystemType: type, source: type,
            superOptions: options.split(separator: ",").map(String.init))
    }

    /// This machine's layout: a v1 tmpfs with the unified hierarchy (hugetlb only) below it.
    static let hybrid = [
        mount("/sys/fs/cgroup", "tmpfs"), mount("/sys/fs/cgroup/cpu", "cgroup", "rw,cpu"),
        mount("/sys/fs/cgroup/memory", "cgroup", "rw,memory"),
        mount("/sys/fs/cgroup/systemd", "cgroup", "rw,name=systemd"),
        mount("/sys/fs/cgroup/unified", "cgroup2", "rw,nsdelegate"),
    ]
    static let pureV1 = Array(hybrid.dropLast())
    /// A cgroup v2 host (GitHub's Ubuntu runners).
    static let unified = [mount("/sys/fs/cgroup", "cgroup2", "rw,nsdelegate,memory_recursiveprot")]

    struct PlanCase: Sendable, CustomStringConvertible {
        var description: String
        var requested: CgroupVersion?
        var daemon: DaemonVersion
        var mounts: [MountEntry]
        var placements: [String] = []
        /// The expected setup, or the expected words of the error.
        var expected: Expected
    }

    enum Expected: Sendable {
        case success(CgroupVersionSetup)
        case failure(String)
    }

    static let planCases: [PlanCase] = [
        PlanCase(
            description: "no request on a hybrid host keeps v1", requested: nil,
            daemon: DaemonVersion(20, 10, 24), mounts: hybrid, expected: .success(.asHost(.v1))),
        PlanCase(
            description: "1 on a v1 host is the host", requested: .v1, daemon: DaemonVersion(1, 7, 1),
            mounts: pureV1, expected: .success(.asHost(.v1))),
        PlanCase(
            description: "2 on a v2 host is the host", requested: .v2, daemon: DaemonVersion(20, 10, 24),
            mounts: unified, expected: .success(.asHost(.v2))),
        PlanCase(
            description: "2 on a hybrid host is simulated in the engine's own cgroup", requested: .v2,
            daemon: DaemonVersion(20, 10, 24), mounts: hybrid,
            expected: .success(.simulatedV2(root: try! CgroupPlacement(parsing: "unified:/root-of-test")))
        ),
        PlanCase(
            description: "a unified --cgroup becomes the namespace root", requested: .v2,
            daemon: DaemonVersion(26, 1), mounts: hybrid,
            placements: ["cpuset:/d", "unified:/mine"],
            expected: .success(.simulatedV2(root: try! CgroupPlacement(parsing: "unified:/mine")))),
        PlanCase(
            description: "1 on a v2 host is refused", requested: .v1, daemon: DaemonVersion(20, 10, 24),
            mounts: unified, expected: .failure("its /sys/fs/cgroup is cgroup v2")),
        PlanCase(
            description: "2 for Docker 1.9 is refused", requested: .v2, daemon: DaemonVersion(1, 9, 1),
            mounts: hybrid, expected: .failure("needs Docker 20.10 or later; Docker 1.9.1")),
        PlanCase(
            description: "2 without a unified hierarchy is refused", requested: .v2,
            daemon: DaemonVersion(20, 10, 24), mounts: pureV1,
            expected: .failure("no cgroup2 (unified) hierarchy")),
    ]

    @Test(
        "engine up --cgroup-version: the host's layout, a simulated v2, or a clear refusal",
        arguments: planCases)
    func plan(_ test: PlanCase) throws {
        let result = Result { () throws -> CgroupVersionSetup in
            try CgroupVersionSetup.plan(
                requested: test.requested, daemon: test.daemon, mounts: test.mounts,
                placements: try test.placements.map(CgroupPlacement.init(parsing:)),
                rootPath: "/root-of-test")
        }
        switch (result, test.expected) as (Result<CgroupVersionSetup, any Error>, Expected) {
        case (.success(let setup), .success(let expected)):
            #expect(setup == expected)
        case (.failure(let error), .failure(let words)):
            let engineError = try #require(error as? PrivateEngineError)
            #expect(engineError.code == .optionUnsupported)
            #expect(engineError.description.contains(words), "\(engineError)")
        default:
            Issue.record("expected \(test.expected), got \(result)")
        }
    }

    @Test("a simulated v2 engine's cgroup is joined last and named for its engine directory")
    func simulatedPlacements() throws {
        let setup = CgroupVersionSetup.simulatedV2(root: try CgroupPlacement(parsing: "unified:/r"))
        let given = [try CgroupPlacement(parsing: "cpuset:/d")]
        #expect(setup.placements(adding: given).map(\.description) == ["cpuset:/d", "unified:/r"])
        #expect(CgroupVersionSetup.asHost(.v1).placements(adding: given) == given)
        let first = CgroupVersionSetup.defaultRootPath(name: "v2", directory: "/tmp/a")
        #expect(first.hasPrefix("/dindlab-engine-v2-"))
        #expect(first != CgroupVersionSetup.defaultRootPath(name: "v2", directory: "/tmp/b"))
    }

    @Test(
        "the launcher of a simulated v2 engine unshares the cgroup namespace and swaps the v1 tmpfs for cgroup2 last"
    )
    func simulatedLauncher() throws {
        let layout = EngineLayout(directory: "/tmp/v2-test")
        let shadows = NamespaceLauncher.shadows(
            for: HostFacts(
                etcDockerExists: true, varLibDockerExists: true, varRunIsSeparateDirectory: false,
                mounts: Self.hybrid))
        let script = NamespaceLauncher.script(
            name: "t", layout: layout, unshare: "/usr/bin/unshare",
            cgroupProcsFiles: ["/sys/fs/cgroup/unified/r/cgroup.procs"],
            shadows: shadows, simulatedCgroupV2: true)
        let lines = script.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let path = NSTemporaryDirectory() + "dindlab-launcher-\(UUID().uuidString).sh"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(ShortCommand.run("/bin/sh", ["-n", path], timeout: .seconds(10)).exitStatus == 0)

        let join = try #require(
            lines.firstIndex(of: "echo $$ > '/sys/fs/cgroup/unified/r/cgroup.procs'"))
        let unshare = try #require(
            lines.firstIndex {
                $0.hasPrefix("exec '/usr/bin/unshare' --mount --net --cgroup --propagation private")
            })
        let unmount = try #require(lines.firstIndex(of: "umount -n -R /sys/fs/cgroup"))
        let mount = try #require(lines.firstIndex(of: "mount -n -t cgroup2 cgroup2 /sys/fs/cgroup"))
        #expect(join < unshare && unshare < unmount && unmount < mount && mount == lines.count - 2)

        let plain = NamespaceLauncher.script(
            name: "t", layout: layout, unshare: "/usr/bin/unshare", cgroupProcsFiles: [], shadows: shadows
        )
        #expect(!plain.contains("--cgroup") && !plain.contains("cgroup2"))
    }

    @Test("the controllers of v1 hierarchies come from their mount options, names and flags left out")
    func v1Controllers() {
        #expect(DaemonCgroupView.v1Controllers(in: Self.hybrid) == ["cpu", "memory"])
        #expect(DaemonCgroupView.v1Controllers(in: Self.unified).isEmpty)
        #expect(CgroupVersion.mounted(in: Self.hybrid) == .v1)
        #expect(CgroupVersion.mounted(in: Self.unified) == .v2)
        #expect(CgroupVersion.mounted(in: []) == nil)
    }

    @Test(
        "the default cgroup namespace: the daemon's flag, else private on v2 and host on v1, none before API 1.41",
        arguments: [
            (APIVersion(1, 41), "2", [String]?.none, "private"),
            (APIVersion(1, 43), "1", ["dockerd"], "host"),
            (APIVersion(1, 41), "2", ["dockerd", "--default-cgroupns-mode", "host"], "host"),
            (APIVersion(1, 41), "1", ["dockerd", "--default-cgroupns-mode=private"], "private"),
            (APIVersion(1, 40), "2", [String]?.none, "host (no cgroup namespaces before API 1.41)"),
        ])
    func namespaceMode(
        _ api: APIVersion, _ version: String, _ arguments: [String]?, _ expected: String
    ) {
        #expect(
            DaemonCgroupView.defaultNamespaceMode(
                apiVersion: api, cgroupVersion: version, daemonArguments: arguments) == expected)
    }

    @Test("the fingerprint says when v2 is simulated and that it has no resource controllers")
    func fingerprintLines() {
        func value(_ fingerprint: EngineFingerprint, _ name: String) -> String? {
            fingerprint.lines.first { $0.name == name }?.value
        }
        let simulated = EngineFingerprint(
            cgroupVersion: "2", cgroupSimulated: true, cgroupNamespaceMode: "private",
            cgroupControllers: [])
        #expect(value(simulated, "cgroup version") == "2 (simulated on a v1 host)")
        #expect(value(simulated, "cgroup namespace") == "private")
        #expect(
            value(simulated, "cgroup controllers")?.hasPrefix("none (no resource controllers") == true)
        let real = EngineFingerprint(
            cgroupVersion: "2", cgroupSimulated: false, cgroupNamespaceMode: "private",
            cgroupControllers: ["cpu", "io", "memory", "pids"])
        #expect(value(real, "cgroup version") == "2")
        #expect(value(real, "cgroup controllers") == "cpu io memory pids")
        #expect(value(EngineFingerprint(), "cgroup controllers") == "(unknown)")
    }

    @Test("cgroup lines are compared per hierarchy on v1, v2 and hybrid hosts alike")
    func comparisonByHierarchy() {
        // v2: after the nesting step PID 1 sits in /init while the daemon started later did not move.
        let v2 = CgroupComparison([("1", "0::/init\n"), ("daemon", "0::/\n"), ("exec", "0::/init\n")])
        #expect(v2.rows.map(\.controllers) == [""])
        #expect(v2.anyDifference)
        #expect(v2.rendered.contains("* (unified)"))
        // A simulated v2 host: the v1 lines stay in /proc/<pid>/cgroup; a process that lists fewer
        // hierarchies is compared on the ones it has.
        let hybrid = CgroupComparison([
            ("1", "2:memory:/\n1:cpu:/\n0::/\n"), ("daemon", "0::/\n"),
            ("exec", "1:cpu:/\n2:memory:/\n0::/\n"),
        ])
        #expect(Set(hybrid.rows.map(\.controllers)) == ["memory", "cpu", ""])
        #expect(!hybrid.anyDifference)
        #expect(hybrid.rows.first { $0.controllers == "cpu" }?.paths == ["/", nil, "/"])
    }
}

@Suite("cgroup v2 outer containers: cgroup namespaces, the nesting step, old manifests")
struct CgroupV2OuterTests {
    static let emulated = PrivilegeSupport(
        privileged: false, grantableCapabilities: ["SYS_ADMIN"], refusedCapabilities: ["SYS_RESOURCE"],
        privilegedError: "caps")

    @Test(
        "the cgroup namespace goes with the cgroup mount on v2 engines only, from API 1.41",
        arguments: [
            (Scenario.Outer.Cgroups.private, String?("2"), "1.41", String?("private")),
            (.bind, "2", "1.41", "host"),
            (.engine, "2", "1.41", nil),
            (.none, "2", "1.41", nil),
            (.private, "1", "1.41", nil),
            (.bind, nil, "1.43", nil),
            (.private, "2", "1.40", nil),
        ])
    func cgroupNamespace(
        cgroups: Scenario.Outer.Cgroups, version: String?, api: String, expected: String?
    ) throws {
        let request = OuterContainerRequest(
            image: "i", command: ["sh"], privileged: true, cgroups: cgroups, network: "none", env: [:],
            labels: [:])
        let apiVersion = try #require(APIVersion(api))
        let host = try #require(
            request.containerConfig(
                apiVersion: apiVersion, privilege: Self.emulated, engineCgroupVersion: version
            ).hostConfig)
        #expect(host.cgroupnsMode == expected)
        let problem = OuterContainerRequest.cgroupProblem(
            cgroups: cgroups, apiVersion: apiVersion, engineCgroupVersion: version)
        #expect(
            (problem != nil)
                == (version == "2" && apiVersion < APIVersion(1, 41)
                    && (cgroups == .private || cgroups == .bind)))
    }

    @Test(
        "the engine's API too old for a v2 engine's cgroup namespace is a sentence naming the option and the fix"
    )
    func problemSentence() throws {
        let problem = try #require(
            OuterContainerRequest.cgroupProblem(
                cgroups: .private, apiVersion: APIVersion(1, 40), engineCgroupVersion: "2"))
        #expect(
            problem.contains("outer.cgroups: private") && problem.contains("API 1.40")
                && problem.contains("DOCKER_API_VERSION"))
    }

    @Test(
        "dindlab's cgroup steps: the remount before the nesting step, one title naming both",
        arguments: [
            (false, false), (true, false), (false, true), (true, true),
        ])
    func prelude(remount: Bool, nesting: Bool) throws {
        let scenario = Scenario(
            name: "n", outer: Scenario.Outer(image: "i", cgroups: remount ? .private : .engine, cgroupNesting: nesting))
        guard let prelude = TrialExecutor.cgroupSteps(for: scenario) else {
            #expect(!remount && !nesting)
            return
        }
        #expect(prelude.title.contains("outer.cgroups: private") == remount)
        #expect(prelude.title.contains("outer.cgroup-nesting") == nesting)
        let remountAt = prelude.script.range(of: "mount -o remount,rw /sys/fs/cgroup")?.lowerBound
        let nestingAt = prelude.script.range(of: "cgroup.subtree_control")?.lowerBound
        #expect((remountAt != nil) == remount && (nestingAt != nil) == nesting)
        if let remountAt, let nestingAt { #expect(remountAt < nestingAt) }
        let path = NSTemporaryDirectory() + "dindlab-prelude-\(UUID().uuidString).sh"
        try prelude.script.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(ShortCommand.run("/bin/sh", ["-n", path], timeout: .seconds(10)).exitStatus == 0)
    }

    @Test(
        "outer.cgroup-nesting loads from a file and a matrix, defaults to false, and old manifests without it still read"
    )
    func nestingField() throws {
        let scenario = try ScenarioLoader.load(
            yaml: """
                version: 1
                name: n
                outer:
                  image: i
                  cgroups: private
                  cgroup-nesting: true
                matrix:
                  outer.cgroup-nesting: [false, true]
                """, file: "n.yaml")
        #expect(scenario.outer.cgroupNesting)
        #expect(scenario.cells().map(\.scenario.outer.cgroupNesting) == [false, true])
        let old =
            #"{"image":"i","privileged":true,"cgroups":"bind","network":"none","env":{},"setup":[]}"#
        let decoded = try JSONDecoder().decode(Scenario.Outer.self, from: Data(old.utf8))
        #expect(!decoded.cgroupNesting && decoded.cgroups == .bind)
        let roundTrip = try JSONDecoder().decode(
            Scenario.Outer.self, from: JSONEncoder().encode(scenario.outer))
        #expect(roundTrip == scenario.outer)
    }
}
