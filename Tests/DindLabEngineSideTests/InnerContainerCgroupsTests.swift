import Foundation
import Testing

@testable import DindLabRunner

/// Where an inner container's cgroups are on the engine's host (`InnerContainerCgroups`).
@Suite("Inner containers' cgroups on the engine's host")
struct InnerContainerCgroupsTests {
    static let id = String(repeating: "ab", count: 32)
    static let outerID = String(repeating: "cd", count: 32)

    typealias Hierarchy = EngineCgroupView.Hierarchy

    /// The memory and the unified hierarchy at their usual places, seen at their roots.
    static let memory = Hierarchy(
        mountPoint: "/sys/fs/cgroup/memory", root: "/", fileSystemType: "cgroup", superOptions: ["rw", "memory"])
    static let unified = Hierarchy(
        mountPoint: "/sys/fs/cgroup/unified", root: "/", fileSystemType: "cgroup2", superOptions: ["rw"])

    /// The engine's cgroup v1 hierarchies plus the hybrid unified one, in its mount namespace.
    static let engine = EngineCgroupView(
        enginePID: 4242,
        hierarchies: [
            memory,
            Hierarchy(
                mountPoint: "/sys/fs/cgroup/cpu,cpuacct", root: "/", fileSystemType: "cgroup",
                superOptions: ["rw", "cpu", "cpuacct"]),
            unified,
        ])

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var paths: [String: String]
        var outerMounts: [Hierarchy]
        var expected: [String]
    }

    static let cases: [Case] = [
        Case(
            testDescription:
                "the host's hierarchies mounted in: the inner cgroups are siblings of the outer container's",
            paths: ["memory": "/sys/fs/cgroup/memory/docker/\(id)", "": "/sys/fs/cgroup/unified/docker/\(id)"],
            outerMounts: [memory, unified],
            expected: [
                "/proc/4242/root/sys/fs/cgroup/memory/docker/\(id)",
                "/proc/4242/root/sys/fs/cgroup/unified/docker/\(id)",
            ]),
        Case(
            testDescription: "a private cgroup namespace: below the outer container's own cgroup",
            paths: ["cpu": "/sys/fs/cgroup/cpu,cpuacct/docker/\(id)"],
            outerMounts: [
                Hierarchy(
                    mountPoint: "/sys/fs/cgroup/cpu,cpuacct", root: "/docker/\(outerID)", fileSystemType: "cgroup",
                    superOptions: ["ro", "cpu", "cpuacct"])
            ],
            expected: ["/proc/4242/root/sys/fs/cgroup/cpu,cpuacct/docker/\(outerID)/docker/\(id)"]),
        Case(
            testDescription: "a path not named after the inner container is left alone",
            paths: ["memory": "/sys/fs/cgroup/memory/docker"],
            outerMounts: [memory],
            expected: []),
        Case(
            testDescription: "a path outside the outer container's cgroup mounts is left alone",
            paths: ["memory": "/tmp/cgroup/memory/docker/\(id)"],
            outerMounts: [memory],
            expected: []),
        Case(
            testDescription: "a hierarchy the engine does not have is left alone",
            paths: ["pids": "/sys/fs/cgroup/pids/docker/\(id)"],
            outerMounts: [
                Hierarchy(
                    mountPoint: "/sys/fs/cgroup/pids", root: "/", fileSystemType: "cgroup",
                    superOptions: ["rw", "pids"])
            ],
            expected: []),
    ]

    @Test("a state folder not named by a container id finds nothing", arguments: ["", "docker", "abcdef012345"])
    func notAContainerID(_ name: String) {
        let found = InnerContainerCgroups.hostDirectories(
            of: ["/sys/fs/cgroup/memory/\(name)"], containerID: name, outerMounts: [Self.memory],
            engine: Self.engine)
        #expect(found.isEmpty)
    }

    @Test("the engine host's directory of each inner cgroup", arguments: cases)
    func hostDirectories(_ example: Case) {
        let found = InnerContainerCgroups.hostDirectories(
            of: Array(example.paths.values), containerID: Self.id, outerMounts: example.outerMounts, engine: Self.engine
        )
        #expect(found.sorted() == example.expected)
    }

    @Test(
        "a container without state.json (its runtime killed while creating it) is looked for beside its siblings and in docker/",
        arguments: [
            ([[String]](), ["/sys/fs/cgroup/memory/docker/\(id)", "/sys/fs/cgroup/unified/docker/\(id)"]),
            (
                [["/sys/fs/cgroup/memory/custom/\(outerID)"]],
                [
                    "/sys/fs/cgroup/memory/custom/\(id)", "/sys/fs/cgroup/memory/docker/\(id)",
                    "/sys/fs/cgroup/unified/docker/\(id)",
                ]
            ),
        ])
    func unwrittenState(siblings: [[String]], expected: [String]) {
        let paths = InnerContainerCgroups.unwrittenStatePaths(
            containerID: Self.id, siblings: siblings, outerMounts: [Self.memory, Self.unified])
        #expect(paths == expected)
        let found = InnerContainerCgroups.hostDirectories(
            of: paths, containerID: Self.id, outerMounts: [Self.memory, Self.unified], engine: Self.engine)
        #expect(found.sorted() == expected.map { "/proc/4242/root" + $0 })
    }

    @Test("removing takes the directories below first, and a directory already gone is no problem")
    func removal() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("inner-cgroups-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let top = folder.appendingPathComponent(Self.id)
        try FileManager.default.createDirectory(
            at: top.appendingPathComponent("nested/deeper"), withIntermediateDirectories: true)
        let gone = folder.appendingPathComponent("gone-\(Self.id)").path
        let problems = await InnerContainerCgroups.remove([gone, top.path])
        #expect(problems.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: top.path))
    }

    @Test("a directory that cannot be removed is named, with what to do")
    func notRemovable() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("inner-cgroups-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let busy = folder.appendingPathComponent(Self.id)
        try FileManager.default.createDirectory(at: busy, withIntermediateDirectories: true)
        try Data().write(to: busy.appendingPathComponent("cgroup.procs"))
        let problems = await InnerContainerCgroups.remove([busy.path])
        #expect(problems.count == 1)
        #expect(problems.first?.contains(busy.path) == true)
        #expect(problems.first?.contains("rmdir") == true)
    }
}
