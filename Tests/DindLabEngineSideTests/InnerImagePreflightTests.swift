import DockerEngine
import FakeEngine
import Foundation
import Testing

@testable import DindLabCore
@testable import DindLabEngines
@testable import DindLabRunner

/// An inner image the outer image does not ship, found from the outer image's labels before
/// anything runs: `run` skips its cells, `validate --engine` and `plan --engine` name it.
@Suite("Inner images an outer image's labels say it does not ship")
struct InnerImagePreflightTests {
    static let labelled = "dindlab/outer:fake-labelled"

    static func labels(innerImageFiles: [String]?) -> [String: String] {
        OuterImageLabels(
            dockerVersion: "26.1.5", daemonCommand: ["dockerd"], apiVersion: "1.45", recipeSHA256: "a",
            recipe: "fake-labelled", recipeKind: "debootstrap", buildKey: "k", innerImageFiles: innerImageFiles
        ).dictionary
    }

    @Test("the label round-trips, and images built before it have none")
    func label() {
        let labels = Self.labels(innerImageFiles: ["busybox.tar"])
        #expect(labels[OuterImageLabels.innerImagesKey] == #"["busybox.tar"]"#)
        #expect(OuterImageLabels(labels: labels)?.innerImageFiles == ["busybox.tar"])
        #expect(OuterImageLabels(labels: Self.labels(innerImageFiles: nil))?.innerImageFiles == nil)
    }

    /// (inner image, what the outer image's labels list (nil: no label), shipped)
    @Test(
        "an inner image is shipped when its file is listed, in every spelling the trial accepts, or when the labels do not say",
        arguments: [
            ("busybox", ["busybox.tar"], true), ("docker.io/library/busybox:latest", ["busybox.tar"], true),
            ("alpine:3.19", ["busybox.tar"], false), ("alpine:3.19", [], false), ("alpine:3.19", nil, true),
        ] as [(String, [String]?, Bool)])
    func ships(inner: String, files: [String]?, shipped: Bool) {
        #expect(
            (OuterScripts.notShipped(inner, by: Self.labelled, labels: Self.labels(innerImageFiles: files)) == nil)
                == shipped)
        #expect(
            OuterScripts.notShipped(inner, by: Self.labelled, labels: ["maintainer": "x"]) == nil,
            "an image not built by dindlab: the trial decides")
    }

    @Test("run skips the cells whose outer image's labels ship no file for their inner image; validate names them")
    func skipped() async throws {
        try await FakeEngine.withRunning(.docker26) { engine in
            let fake = try ReliabilityFakeRun(engine: engine)
            defer { fake.removeFolder() }
            engine.addImage(Self.labelled, labels: Self.labels(innerImageFiles: ["busybox.tar"]))
            let file = try fake.scenarioFile(
                repeatCount: 2,
                extra: """
                    matrix:
                      outer.image: [\(ReliabilityFakeRun.image), \(Self.labelled)]
                      inner.image: [busybox, 'alpine:3.19']
                    """)
            let plan = try fake.plan(file)
            let result = try await fake.run(plan, file: file)
            let skipped = try #require(result.manifest.skippedCells)
            #expect(skipped.count == 1, "\(skipped)")
            let cell = try #require(skipped.first)
            #expect(cell.cellValues?.entries.map(\.value) == [Self.labelled, "alpine:3.19"], "\(cell.cellValues)")
            #expect(cell.trials == 2)
            #expect(
                cell.reason
                    == "The outer image \(Self.labelled) ships no /dindlab/images/alpine_3.19.tar for the inner image alpine:3.19 (/dindlab/images holds: busybox.tar); the inner images a scenario can run are those its outer image ships (see Images/README.md)."
            )
            // The unlabelled image's alpine cell runs: its trials find out for themselves.
            #expect(result.records.count == 6)

            let unshipped = try await OuterImageCheck.check(
                [(plan.scenarios[0].scenario.name, plan.scenarios[0].cells)], on: try fake.selection
            ).unshipped
            #expect(unshipped.map(\.innerImage) == ["alpine:3.19"] && unshipped.map(\.outerImage) == [Self.labelled])
            #expect(unshipped.first?.sentence == cell.reason)
        }
    }
}
