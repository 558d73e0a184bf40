import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation
import Testing

/// Every outer image scripts/test built (bullseye, bookworm, trixie): an outer container
/// from it starts its inner daemon and runs busybox inside, and the image reports the
/// Docker version it really contains.
@Suite(
    .enabled(if: RealEngine.isAvailable && !RealEngine.outerImages.isEmpty, RealEngine.noOuterImageReason), .serialized)
struct OuterImagesEndToEndTests {
    /// The Docker version each Debian suite ships (Debian's docker.io packages).
    static let expectedVersions = ["bullseye": "20.10.5", "bookworm": "20.10.24", "trixie": "26.1.5"]

    @Test("each built outer image runs busybox in its inner daemon", arguments: RealEngine.outerImages)
    func innerDaemonRuns(image: String) async throws {
        let client = try RealEngine.client()
        let inspect = try #require(try await client.inspectImage(image), "\(image) is not on the engine")
        let suite = String(image.split(separator: ":").last ?? "")
        if let expected = Self.expectedVersions[suite] {
            #expect(inspect.labels["dindlab.docker.version"] == expected)
        }
        #expect(inspect.labels["dindlab.daemon.command"] != nil)

        let scenario = try ScenarioLoader.load(
            yaml: """
                version: 1
                name: images
                repeat: 1
                timeout: 120s
                outer:
                  image: \(image)
                inner:
                  command: [sh, -c, "echo inner-ok"]
                  expect-output: "^inner-ok"
                """, file: "images.yaml")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dindlab-e2e-\(UUID().uuidString)")
        let plan = try Plan(scenarios: [scenario], seed: 1)
        let result = try await Runner(
            engines: [try EngineSelection.resolve(RealEngine.address)], options: RunOptions(resultsRoot: folder)
        ).run(plan: plan)
        let record = try #require(result.records.first)
        #expect(record.outcome == .pass, "\(image): \(record.signature ?? "no signature")")
        let left = try await client.listContainers(all: true, labels: ["dindlab.run=\(result.manifest.runID)"])
        #expect(left.isEmpty)
    }
}

extension RealEngine {
    /// Every outer image scripts/test built, from DINDLAB_TEST_OUTER_IMAGES (comma-separated).
    static let outerImages: [String] = (ProcessInfo.processInfo.environment["DINDLAB_TEST_OUTER_IMAGES"] ?? "")
        .split(separator: ",").map(String.init)
}
