import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

#if canImport(Glibc)
import Glibc
#endif

@Suite("Host cgroups: the engine's view, the ledger, the engine's pid")
struct HostCgroupsTests {
    static let mountinfo = """
        30 25 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
        31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw
        32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
        33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct
        34 30 0:30 /docker/abc /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,pids
        """

    @Test("the engine's cgroup mounts are found by controller, name or unified, and reached through /proc/<pid>/root")
    func view() throws {
        let view = EngineCgroupView(enginePID: 42, hierarchies: EngineCgroupView.parse(Self.mountinfo))
        #expect(view.hierarchies.count == 4)
        let systemd = try view.hierarchy(named: "name=systemd")
        #expect(
            try view.directory(of: "/f2.slice/docker.service", in: systemd)
                == "/proc/42/root/sys/fs/cgroup/systemd/f2.slice/docker.service")
        #expect(try view.hierarchy(named: "cpu").mountPoint == "/sys/fs/cgroup/cpu,cpuacct")
        #expect(try view.hierarchy(named: "unified").fileSystemType == "cgroup2")
        #expect(try view.hierarchy(named: "cpu").matchesLine(controllers: "cpu,cpuacct"))
        #expect(try !view.hierarchy(named: "cpu").matchesLine(controllers: ""))
        // A mount whose root is not the hierarchy's: paths below it map, others cannot be reached.
        let pids = try view.hierarchy(named: "pids")
        #expect(try view.directory(of: "/docker/abc/x", in: pids) == "/proc/42/root/sys/fs/cgroup/pids/x")
        #expect(throws: HostCgroupError.self) { try view.directory(of: "/elsewhere", in: pids) }
        let missing = #expect(throws: HostCgroupError.self) { try view.hierarchy(named: "perf_event") }
        #expect(missing?.description.contains("no cgroup hierarchy perf_event") == true)
        #expect(
            missing?.description.contains("name=systemd") == true,
            "it lists what there is: \(String(describing: missing))")
    }

    private static func temporaryFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-ledger-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("the last holder removes what dindlab made; what existed before is left alone")
    func ledger() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledger = HostCgroupLedger()
        let made = folder + "/docker.service"
        let existing = folder + "/existing"
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: false)

        let first = try await ledger.hold([existing, made], create: true)
        #expect(first == [made], "a directory that existed is not dindlab's")
        #expect(FileManager.default.fileExists(atPath: made))
        let second = try await ledger.hold([made], create: true)
        #expect(second == [made])
        #expect(await ledger.release(first).isEmpty)
        #expect(FileManager.default.fileExists(atPath: made), "a trial still holds it")
        #expect(await ledger.release(second).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: made))
        #expect(FileManager.default.fileExists(atPath: existing))
        #expect(await ledger.held.isEmpty)
    }

    @Test("a directory the engine creates (a cgroup parent) is held before and removed after, innermost first")
    func engineCreated() async throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ledger = HostCgroupLedger()
        let parent = folder + "/f2.slice"
        let child = folder + "/f2.slice/ci"
        let held = try await ledger.hold([parent, child], create: false)
        #expect(held == [parent, child])
        #expect(!FileManager.default.fileExists(atPath: parent), "create: false leaves the creating to the engine")
        try FileManager.default.createDirectory(atPath: child, withIntermediateDirectories: true)
        #expect(await ledger.release(held).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: parent))
    }

    @Test("the pid behind a Unix socket is the listening process's (SO_PEERCRED); nothing for no socket")
    func peer() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dl-\(getpid()).sock").path
        unlink(path)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer {
            close(listener)
            unlink(path)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0)
        try #require(listen(listener, 1) == 0)
        #expect(peerProcessID(ofSocket: path) == getpid())
        #expect(peerProcessID(ofSocket: path + ".missing") == nil)
    }

    @Test("a misplaced pass counts as a pass and is listed with its signature; a plain pass is not")
    func misplacedPassInTally() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let records = (0..<3).map { n in
            TrialRecord(
                runID: RunID("20261129T112233Z-ab12")!, trialID: "s-c0-t\(n)", sequence: n, scenario: "s",
                cellID: "default",
                cellValues: CellValues([]), engine: "default", outcome: .pass,
                signature: n == 0
                    ? nil : "misplaced (passed): the inner container has no cgroup of its own in name=systemd",
                startedAt: start, finishedAt: start.addingTimeInterval(1))
        }
        var accumulator = TallyAccumulator()
        for record in records { accumulator.add(record) }
        let cell = try #require(accumulator.tally().scenarios.first?.cells.first)
        #expect(cell.passes == 3 && cell.successRate == 1)
        #expect(cell.signatures.map(\.count) == [2])
        #expect(SummaryTable.topSignatures(of: cell, limit: 3).first?.signature.hasPrefix("misplaced (passed)") == true)
    }
}
