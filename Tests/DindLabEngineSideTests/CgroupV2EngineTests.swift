import DockerEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// nil when a simulated cgroup v2 engine can be started here (a v1 or hybrid host with a
/// unified hierarchy, root, dockerd), else why not.
private let simulatedV2Unavailable: String? = {
    if let reason = EngineTestHost.isolationUnavailable { return reason }
    if ExecutableSearch.resolve("dockerd", environment: EngineTestHost.environment) == nil {
        return "needs dockerd (apt-get install docker.io)"
    }
    let mounts = MountTable.read()
    if CgroupVersion.mounted(in: mounts) == .v2 {
        return "this host is cgroup v2 itself: there is nothing to simulate"
    }
    if !mounts.contains(where: { $0.fileSystemType == "cgroup2" }) {
        return "this v1 host has no unified (cgroup2) hierarchy mounted"
    }
    return nil
}()

/// What a simulated v2 engine must leave as it was: the host's cgroup mounts, the entries of
/// /sys/fs/cgroup, the cgroups dindlab engines make in the unified hierarchy's root and what
/// the root delegates. (Other cgroups of the unified root are left out: v1 engines of other
/// processes on the machine create `docker/` there while their containers run.)
private struct CgroupHostState: Equatable, CustomStringConvertible {
    var mountLines: [String]
    var listings: [String: [String]]

    static func take() -> CgroupHostState {
        let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        // Mount ids and parents stay; only lines about cgroups are compared.
        let lines = text.split(separator: "\n").map(String.init).filter { $0.contains("cgroup") }
        var listings: [String: [String]] = [:]
        for directory in ["/sys/fs/cgroup"]
            + MountTable.read().filter({ $0.fileSystemType == "cgroup2" }).map(\.mountPoint)
        {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? ["(unreadable)"]
            listings[directory] = entries.filter {
                directory == "/sys/fs/cgroup" || $0.hasPrefix("dindlab-engine-") || $0.hasPrefix("cgroup.")
            }.sorted()
            listings[directory + "/cgroup.subtree_control"] = [
                (try? String(contentsOfFile: directory + "/cgroup.subtree_control", encoding: .utf8))
                    ?? "(none)"
            ]
        }
        return CgroupHostState(mountLines: lines, listings: listings)
    }

    var description: String {
        (mountLines + listings.keys.sorted().map { "\($0): \(listings[$0]!)" }).joined(separator: "\n")
    }
}

@Suite(
    "A simulated cgroup v2 engine with a real dockerd",
    .enabled(if: simulatedV2Unavailable == nil, Comment(rawValue: simulatedV2Unavailable ?? "")))
struct CgroupV2EngineTests {
    @Test(
        "engine up --cgroup-version 2 on a v1 host: the engine reports v2 without controllers, the host does not change"
    )
    func simulatedV2() async throws {
        let root = try EngineTestHost.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = root + "/e"
        let engines = PrivateEngine(environment: EngineTestHost.environment)
        let before = CgroupHostState.take()

        let record = try await engines.up(name: "v2test", dir: dir, options: .init(cgroupVersion: .v2))
        #expect(record.cgroupVersion == .v2 && record.simulatedCgroupV2 == true)
        do {
            let theirs = try FileManager.default.destinationOfSymbolicLink(
                atPath: "/proc/\(record.pid)/ns/cgroup")
            let ours = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/cgroup")
            #expect(theirs != ours, "the daemon has a cgroup namespace of its own")
            let client = EngineClient(address: EngineAddress(endpoint: .unix(path: record.socket)))
            let fingerprint = try await FingerprintCollector(client: client).collect(
                privilege: nil, daemonPID: record.pid)
            #expect(fingerprint.cgroupVersion == "2")
            #expect(fingerprint.cgroupSimulated == true)
            #expect(fingerprint.cgroupNamespaceMode == "private")
            #expect(
                fingerprint.cgroupControllers?.contains { ["cpu", "memory", "io", "pids"].contains($0) }
                    == false,
                "no resource controller on a simulated v2 host: \(fingerprint.cgroupControllers ?? [])")
            #expect(
                fingerprint.daemonCgroupLines?.contains { $0.hasPrefix("0::/dindlab-engine-v2test-") }
                    == true)
            #expect(
                CgroupHostState.take().mountLines == before.mountLines,
                "the host's cgroup mounts stay while the engine runs")
        } catch {
            _ = try? await engines.down(name: "v2test", dir: dir)
            throw error
        }
        let report = try await engines.down(name: "v2test", dir: dir)
        #expect(report.problems.isEmpty, "\(report.problems)")
        let after = CgroupHostState.take()
        #expect(after == before, "the host changed:\nbefore\n\(before)\nafter\n\(after)")
    }
}
