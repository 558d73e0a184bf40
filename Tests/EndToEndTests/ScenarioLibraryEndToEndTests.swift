import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation
import Testing

/// The shipped Scenarios/ that replay the field report, at small repeat on the bookworm image,
/// with their expected outcomes on this kind of machine (cgroup v1, dockerd 20.10).
@Suite(
    .enabled(if: RealEngine.outerImages.contains("dindlab/outer:bookworm"), RealEngine.noOuterImageReason), .serialized)
struct ScenarioLibraryEndToEndTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../Scenarios"
    ).standardized

    func run(_ file: String, repeatCount: Int, only: [String]) async throws -> RunResult {
        let path = Self.scenarios.appendingPathComponent(file).path
        let scenario = try ScenarioLoader.load(file: path)
        let filters = try only.map { text throws(PlanError) in try CellFilter(parsing: text) }
        let plan = try Plan(scenarios: [scenario], repeatOverride: repeatCount, seed: 11, only: filters)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dindlab-library-\(UUID().uuidString)")
        let result = try await Runner(
            engines: [try EngineSelection.resolve(RealEngine.address)], options: RunOptions(resultsRoot: folder)
        ).run(plan: plan)
        let left = try await RealEngine.client().listContainers(
            all: true, labels: ["dindlab.run=\(result.manifest.runID)"])
        #expect(left.isEmpty)
        return result
    }

    @Test("cgroup-mount: bind passes, none fails in phase daemon with the daemon's fatal line, mounting by hand passes")
    func cgroupMount() async throws {
        let result = try await run("cgroup-mount.yaml", repeatCount: 1, only: ["outer.image=dindlab/outer:bookworm"])
        #expect(result.records.count == 4)
        for record in result.records {
            let cgroups = record.cellValues.first { $0.key == "outer.cgroups" }?.value
            let handMounted = record.cellValues.first { $0.key == "outer.env.MOUNT_CGROUPS_BY_HAND" }?.value == "yes"
            if cgroups == "none" && !handMounted {
                #expect(record.outcome == .fail)
                #expect(record.failingPhase == .daemon)
                #expect(record.signature == "daemon: failed to start daemon: Devices cgroup isn't mounted")
            } else {
                #expect(record.outcome == .pass, "\(record.cellID): \(record.signature ?? "")")
            }
        }
    }

    @Test(
        "start-mode: every start mode and run mode passes here, and each trial's artifacts hold the cgroup comparison")
    func startMode() async throws {
        let result = try await run("start-mode.yaml", repeatCount: 1, only: ["outer.image=dindlab/outer:bookworm"])
        #expect(result.records.count == 4)
        for record in result.records {
            #expect(record.outcome == .pass, "\(record.cellID): \(record.signature ?? "")")
            let artifacts = try #require(record.artifactsPath, "forensics: always gives every trial artifacts")
            let cgroups = result.directory.appendingPathComponent(artifacts).appendingPathComponent("cgroups.txt")
            let text = try String(contentsOf: cgroups, encoding: .utf8)
            #expect(text.contains("/proc/1/cgroup") && text.contains("exec'd /proc/self/cgroup"))
        }
    }

    @Test(
        "stale-state: the daemon killed mid-run fails that trial, is restarted, and later trials are tallied after the first failure"
    )
    func staleState() async throws {
        let result = try await run(
            "stale-state.yaml", repeatCount: 4, only: ["inner.mode=d", "faults.kill-daemon-at-trial=3"])
        let cell = try #require(result.summary.scenarios.first?.cells.first)
        #expect(cell.trials == 4)
        let killed = try #require(
            result.records.first { $0.notes.contains { $0.hasPrefix("Fault: the inner daemon (pid") } })
        #expect(killed.outcome == .fail)
        #expect(killed.signature?.contains("died during inner run") == true, "\(killed.signature ?? "")")
        #expect(cell.afterFirstFailure?.trials == 1)
    }
}
