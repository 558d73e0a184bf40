import DockerEngine
import FakeEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// The removal of a unit's last outer container overlaps the next unit (`RunOptions.overlapsCleanup`).
@Suite("Cleanup off the critical path")
struct CleanupOverlapTests {
    @Test(
        "every trial is recorded with its cleanup and every outer container is gone when the run returns",
        arguments: [true, false], [1, 2])
    func nothingLeft(overlaps: Bool, jobs: Int) async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let fake = try ReliabilityFakeRun(engine: engine)
            defer { fake.removeFolder() }
            let file = try fake.scenarioFile(repeatCount: 4)
            let plan = try fake.plan(file)
            let result = try await fake.run(plan, file: file) {
                $0.overlapsCleanup = overlaps
                $0.jobs = jobs
            }
            #expect(result.records.count == plan.trials.count)
            #expect(result.records.allSatisfy { $0.outcome == .pass && $0.phaseDurations[.cleanup] != nil })
            #expect(try await OwnedContainer.list(on: EngineClient(address: try fake.selection.address)).isEmpty)
            // Every container made (the trials' and the privilege probe's) was removed.
            let removals = engine.requests.filter { $0.method == "DELETE" && $0.path.contains("/containers/") }
            let creations = engine.requests.filter {
                $0.method == "POST" && $0.pathWithoutQuery.hasSuffix("/containers/create")
            }
            #expect(createdTrialIDs(engine).count == plan.trials.count)
            #expect(removals.count == creations.count)
        }
    }
}
