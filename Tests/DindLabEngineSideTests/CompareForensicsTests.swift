import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

private let mountLines: [(line: String, kind: LeftoverMount.Kind, mountPoint: String)] = [
    (
        "210 190 0:77 / /var/lib/docker/containers/3f1c/mounts/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k",
        .shm, "/var/lib/docker/containers/3f1c/mounts/shm"
    ),
    (
        "211 190 0:78 / /var/lib/docker/containers/3f1c/mqueue rw,relatime - mqueue mqueue rw", .mqueue,
        "/var/lib/docker/containers/3f1c/mqueue"
    ),
    (
        "212 190 0:79 / /var/lib/docker/overlay2/ab12/merged rw,relatime shared:5 - overlay overlay rw,lowerdir=/x",
        .overlay, "/var/lib/docker/overlay2/ab12/merged"
    ),
    (
        "213 190 253:3 / /var/lib/docker/devicemapper/mnt/9a8b rw,relatime - xfs /dev/mapper/docker-253:1-1234-9a8b rw",
        .devicemapper, "/var/lib/docker/devicemapper/mnt/9a8b"
    ),
    ("214 190 0:80 / /var/lib/docker/with\\040space rw - tmpfs none rw", .other, "/var/lib/docker/with space"),
]

@Suite("Compare: forensics of a failed trial against a passing one")
struct CompareForensicsTests {
    @Test("leftover mounts are read from mountinfo and told apart", arguments: mountLines)
    func mounts(_ row: (line: String, kind: LeftoverMount.Kind, mountPoint: String)) throws {
        let mount = try #require(LeftoverMount(mountinfoLine: row.line))
        #expect(mount.kind == row.kind)
        #expect(mount.mountPoint == row.mountPoint)
    }

    @Test("a line that is not mountinfo is no mount")
    func notAMount() {
        #expect(LeftoverMount(mountinfoLine: "garbage") == nil)
        #expect(LeftoverMount(mountinfoLine: "1 2 3 4 5 6 7 8") == nil)
    }

    static func digest(
        _ trial: String, outcome: TrialOutcome, daemon: [String], mounts: [LeftoverMount.Kind] = [],
        info: [String] = [], engine: String = "default"
    ) -> ForensicsDigest {
        let id = String(repeating: trial.hasSuffix("0") ? "a" : "b", count: 64)
        return ForensicsDigest(
            trialID: trial, scenario: "s", cellID: "default", engine: engine, outcome: outcome,
            phase: outcome == .pass ? nil : .inner,
            signature: outcome == .pass ? nil : "inner: umount shm: device or resource busy",
            firstError: outcome == .pass ? nil : "umount shm: device or resource busy",
            firstErrorLine: outcome == .pass ? nil : 12,
            cgroups: [
                .init(process: "/proc/1/cgroup", lines: ["cpuset:/docker/\(id)", "name=systemd:/docker/\(id)"]),
                .init(
                    process: "daemon /proc/<pid>/cgroup",
                    lines: daemon.map { $0.replacingOccurrences(of: "ID", with: id) }),
            ],
            dockerMounts: mounts.map {
                LeftoverMount(kind: $0, mountPoint: "/var/lib/docker/x/\($0)", fileSystem: "tmpfs", source: $0.rawValue)
            },
            dockerInfo: info, files: ["daemon.log", "cgroups.txt", "forensics.json"])
    }

    let passing = digest(
        "t0", outcome: .pass, daemon: ["cpuset:/docker/ID", "name=systemd:/docker/ID"],
        info: ["Containers: 1", "Name: aaaa", "Runtimes: runc io.containerd.runc.v2", "Goroutines: 30"])
    let failing = digest(
        "t1", outcome: .fail, daemon: ["cpuset:/docker-daemon", "name=systemd:/docker/ID"], mounts: [.shm, .mqueue],
        info: ["Containers: 2", "Name: bbbb", "Runtimes: io.containerd.runc.v2 runc", "Goroutines: 41"])

    @Test(
        "the difference names the cgroup lines, mount kinds and docker info lines that differ, and nothing that varies on every trial"
    )
    func difference() throws {
        let difference = ForensicsDifference(failed: failing, passing: passing)
        // The container ids differ but are normalised; only the daemon's cpuset line differs.
        #expect(
            difference.cgroupLines == [
                .init(
                    process: "daemon /proc/<pid>/cgroup", hierarchy: "cpuset", failed: "/docker-daemon",
                    passed: "/docker/<id>")
            ])
        #expect(
            difference.mountCounts == [
                .init(kind: .shm, failed: 1, passed: 0), .init(kind: .mqueue, failed: 1, passed: 0),
            ])
        #expect(difference.infoOnlyInFailed == ["Containers: 2"])
        #expect(difference.infoOnlyInPassing == ["Containers: 1"])
        #expect(!difference.isEmpty)
        #expect(ForensicsDifference(failed: passing, passing: passing).isEmpty)
    }

    @Test("forensics.md indexes the artifacts and says what stands out")
    func index() {
        let markdown = failing.markdown(difference: ForensicsDifference(failed: failing, passing: passing))
        #expect(markdown.contains("# Forensics of trial t1"))
        #expect(markdown.contains("- outcome: **fail** in phase **inner**"))
        #expect(markdown.contains("- first error: `umount shm: device or resource busy` (daemon.log line 12"))
        #expect(markdown.contains("The processes are in different cgroups in 1 hierarchy"))
        #expect(markdown.contains("| cpuset | `/docker/\(String(repeating: "b", count: 64))` | `/docker-daemon` |"))
        #expect(markdown.contains("1 shm, 1 mqueue:"))
        #expect(markdown.contains("## Compared with passing trial t0"))
        #expect(markdown.contains("| daemon /proc/<pid>/cgroup | cpuset | `/docker-daemon` | `/docker/<id>` |"))
        #expect(markdown.contains("- Containers: 1\n+ Containers: 2"))
        #expect(markdown.contains("| [daemon.log](daemon.log) |"))
        #expect(!markdown.contains("[steps.txt]"))
        let alone = passing.markdown()
        #expect(alone.contains("PID 1, the daemon and an exec'd process are in the same cgroups."))
        #expect(alone.contains("## Mounts left under /var/lib/docker\n\nNone."))
        #expect(!alone.contains("Compared with"))
    }

    @Test(
        "after a run, a failed trial's forensics.md is compared with a passing trial of its cell, on the same engine first"
    )
    func crossReference() throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-forensics-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: run) }
        let otherEngine = Self.digest("t2", outcome: .pass, daemon: ["cpuset:/elsewhere"], engine: "other")
        for digest in [passing, failing, otherEngine] {
            let folder = run.appendingPathComponent("artifacts/\(digest.trialID)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            digest.write(to: folder)
        }
        func record(_ digest: ForensicsDigest, sequence: Int) -> TrialRecord {
            TrialRecord(
                runID: RunID("20261129T112233Z-ab12")!, trialID: digest.trialID, sequence: sequence, scenario: "s",
                cellID: "default",
                cellValues: [:], engine: digest.engine, outcome: digest.outcome, startedAt: Date(), finishedAt: Date(),
                artifactsPath: "artifacts/\(digest.trialID)")
        }
        // The other engine's passing trial is nearer in run order, but the same engine wins.
        let records = [record(passing, sequence: 0), record(otherEngine, sequence: 6), record(failing, sequence: 5)]
        let compared = ForensicsCrossReference.annotate(runDirectory: run, records: records)
        #expect(compared == ["t1": "t0"])
        let markdown = try String(contentsOf: run.appendingPathComponent("artifacts/t1/forensics.md"), encoding: .utf8)
        #expect(markdown.contains("## Compared with passing trial t0"))
        #expect(ForensicsDigest.read(from: run.appendingPathComponent("artifacts/t1")) == failing)
        // Without a passing trial's digest nothing is compared and nothing breaks.
        try FileManager.default.removeItem(at: run.appendingPathComponent("artifacts/t0/forensics.json"))
        try FileManager.default.removeItem(at: run.appendingPathComponent("artifacts/t2/forensics.json"))
        #expect(ForensicsCrossReference.annotate(runDirectory: run, records: records).isEmpty)
    }
}
