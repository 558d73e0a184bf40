import DockerEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// Scenarios/exec-cgroup-divergence.yaml on the private engine scripts/test starts: the field
/// report's second finding replayed, and the engine host's cgroup hierarchies left as found.
@Suite(
    .enabled(if: RealEngine.outerImages.contains("dindlab/outer:bookworm"), RealEngine.noOuterImageReason), .serialized)
struct ExecCgroupDivergenceEndToEndTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../Scenarios/exec-cgroup-divergence.yaml"
    )
    .standardized.path

    /// Every directory below the engine's cgroup hierarchies whose path contains `marker`, as
    /// the engine's daemon sees them (through /proc/<pid>/root).
    static func cgroupDirectories(containing marker: String, enginePID: Int32) -> Set<String> {
        guard let view = try? EngineCgroupView(enginePID: enginePID) else { return [] }
        var found: Set<String> = []
        for hierarchy in view.hierarchies {
            let root = view.hostPath(hierarchy.mountPoint)
            guard let enumerator = FileManager.default.enumerator(atPath: root) else { continue }
            while let path = enumerator.nextObject() as? String {
                if path.contains(marker) { found.insert(root + "/" + path) }
                // Cgroup trees hold no deep dindlab paths: stay shallow, and fast.
                if path.split(separator: "/").count >= 3 { enumerator.skipDescendants() }
            }
        }
        return found
    }

    @Test(
        "exec + name=systemd divergence + relative parent fails with the docker.service error; controls pass; the writable tmpfs passes misplaced; nothing is left in the host's hierarchies"
    )
    func finding() async throws {
        let selection = try EngineSelection.resolve(RealEngine.address)
        let pid = try #require(selection.engineHostPID, "the test engine is a local private engine")
        let before = Self.cgroupDirectories(containing: "dindlab-f2.slice", enginePID: pid)

        let scenario = try ScenarioLoader.load(file: Self.file)
        let plan = try Plan(scenarios: [scenario], repeatOverride: 1, seed: 20)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-divergence-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await Runner(engines: [selection], options: RunOptions(jobs: 2, resultsRoot: folder)).run(
            plan: plan)
        #expect(result.records.count == 16)

        for record in result.records {
            let value = { (key: String) in record.cellValues.first { $0.key == key }?.value }
            let diverged = value("daemon.start") == "exec" && value("daemon.cgroup-divergence") == "name=systemd"
            let relative = value("daemon.cgroup-parent") == "relative"
            if diverged && relative && value("outer.cgroup-tmpfs") == "read-only" {
                #expect(record.outcome == .fail, "\(record.cellID)")
                #expect(record.failingPhase == .inner)
                #expect(
                    record.signature?.contains("stat /sys/fs/cgroup/docker.service: no such file or directory") == true,
                    "\(record.signature ?? "")")
                // The artifacts compare PID 1, the daemon and an exec'd process hierarchy by hierarchy.
                let artifacts = try #require(record.artifactsPath)
                let cgroups = try String(
                    contentsOf: result.directory.appendingPathComponent(artifacts).appendingPathComponent(
                        "cgroups.txt"), encoding: .utf8)
                let marked = cgroups.split(separator: "\n").filter { $0.hasPrefix("* ") && !$0.hasPrefix("* marks") }
                #expect(
                    marked.count == 1 && marked.first?.contains("name=systemd") == true
                        && marked.first?.contains("/dindlab-f2.slice/docker.service") == true,
                    "\(cgroups)")
                let steps = try String(
                    contentsOf: result.directory.appendingPathComponent(artifacts).appendingPathComponent("steps.txt"),
                    encoding: .utf8)
                #expect(steps.contains("move the exec'd daemon into diverging cgroups"))
            } else if diverged && relative {
                #expect(record.outcome == .pass, "\(record.cellID): \(record.signature ?? "")")
                #expect(
                    record.signature?.hasPrefix(
                        "misplaced (passed): the inner container has no cgroup of its own in name=systemd") == true,
                    "\(record.signature ?? "")")
            } else {
                #expect(record.outcome == .pass, "\(record.cellID): \(record.signature ?? "")")
                #expect(record.signature == nil, "\(record.cellID): \(record.signature ?? "")")
            }
            if diverged {
                #expect(
                    record.notes.contains { $0.hasPrefix("cgroup divergence: the exec'd daemon") }, "\(record.notes)")
            }
        }
        let misplaced = result.summary.scenarios.first?.cells.filter { cell in
            cell.signatures.contains { $0.outcome == .pass && $0.signature.hasPrefix("misplaced") }
        }
        #expect(misplaced?.count == 1, "the summary lists the misplaced cell's signature")

        // The host's hierarchies are left as found: the docker.service cgroups dindlab made and
        // the cgroup parent the engine made for the outer containers are gone.
        let after = Self.cgroupDirectories(containing: "dindlab-f2.slice", enginePID: pid)
        #expect(after == before, "left behind: \(after.subtracting(before).sorted())")
        #expect(await HostCgroupLedger.shared.held.isEmpty)
        let left = try await RealEngine.client().listContainers(
            all: true, labels: ["dindlab.run=\(result.manifest.runID)"])
        #expect(left.isEmpty)
    }

    @Test(
        "a trial that times out after the divergence still removes the cgroups dindlab made and the engine's cgroup parent"
    )
    func timeoutCleansUp() async throws {
        let selection = try EngineSelection.resolve(RealEngine.address)
        let pid = try #require(selection.engineHostPID, "the test engine is a local private engine")
        let marker = "dindlab-e2e-timeout.slice"
        let before = Self.cgroupDirectories(containing: marker, enginePID: pid)
        let scenario = try ScenarioLoader.load(
            yaml: """
                version: 1
                name: divergence-timeout
                timeout: 8s
                outer:
                  image: dindlab/outer:bookworm
                  cgroups: private
                  cgroup-parent: /\(marker)
                daemon:
                  start: exec
                  cgroup-divergence: name=systemd
                inner:
                  command: [sh, -c, "sleep 60"]
                """, file: "divergence-timeout.yaml")
        let plan = try Plan(scenarios: [scenario], repeatOverride: 1, seed: 3)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-divergence-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await Runner(engines: [selection], options: RunOptions(resultsRoot: folder)).run(plan: plan)
        let record = try #require(result.records.first)
        #expect(record.outcome == .timeout, "\(record.outcome): \(record.signature ?? "")")
        #expect(
            record.notes.contains { $0.hasPrefix("cgroup divergence: the exec'd daemon") },
            "the daemon was moved before the timeout: \(record.notes)")
        let after = Self.cgroupDirectories(containing: marker, enginePID: pid)
        #expect(after == before, "left behind: \(after.subtracting(before).sorted())")
    }
}
