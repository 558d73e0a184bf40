import DindLab
import Foundation
import Testing

/// Outer images built on engines of the Docker 1.7 era, whose import refuses LABEL in its
/// `changes` and whose POST /build ignores the `labels` parameter: the labels every reader
/// relies on (image status, daemon command, Docker version, inner images) must still be there.
@Suite("Image builds on Docker 1.7-era engines")
struct ImageOldEngineLabelTests {
    @Test("without LABEL in import changes the labels come from a commit", arguments: [true, false])
    func labelsWithoutImportChanges(engineRefusesLabels: Bool) async throws {
        let folder = try TemporaryFolder()
        let store = try InMemoryImageStore()
        store.refusesLabelChanges = engineRefusesLabels
        var engine = InMemoryBuildingEngine(store: store, versionOutput: "")
        engine.ignoresBuildLabels = true
        let progress = RecordingProgress()
        let builder = OuterImageBuilder(
            engine: engine, cache: ImageCache(root: folder.url.appendingPathComponent("cache")),
            rootfsProvider: TinyRootfsProvider(folder: folder.url.appendingPathComponent("trees")), progress: progress)
        let recipe = try Recipe.testStaticBinary(in: folder.url)
        let binary = try folder.fakeDockerBinary(version: "1.7.1")

        let outcome = try await builder.build(recipe, options: .init(binary: binary))

        let image = try #require(store.image("dindlab/outer:test-static"))
        let labels = try #require(OuterImageLabels(labels: image.labels), "the image has no dindlab labels: \(image.labels)")
        #expect(labels == outcome.labels)
        #expect(labels.daemonCommand == ["docker", "-d"])
        #expect(labels.dockerVersion == "1.7.1")
        // One import when the engine takes LABEL; a refused one, one without changes and a commit otherwise.
        #expect(store.importCount == (engineRefusesLabels ? 2 : 1))
        #expect(store.commitCount == (engineRefusesLabels ? 1 : 0))
        #expect(await engine.builds.values.isEmpty)
        if engineRefusesLabels {
            let notes = await progress.events.compactMap { event -> String? in
                if case let .note(_, message) = event { message } else { nil }
            }
            #expect(notes.contains { $0.contains("takes no LABEL in import changes") })
        }
        // Nothing temporary is left, and the next build finds the image up to date by its labels.
        #expect(store.allTags == ["dindlab/outer:test-static"])
        #expect(try await builder.build(recipe, options: .init(binary: binary)) == .upToDate(imageID: outcome.imageID, labels: outcome.labels))
    }

    @Test("the labelling Dockerfile reads back to the same labels, quotes and dollars included")
    func labellingDockerfileRoundTrip() {
        let labels = OuterImageLabels(
            dockerVersion: "1.7.1", daemonCommand: ["docker", "-d", "--storage-opt", "a=\"$x\\y\""], apiVersion: "1.19",
            recipeSHA256: "abc", recipe: "1.7.1", recipeKind: "static-binary", buildKey: "k")
        let text = labels.labellingDockerfile(from: "base:tag")
        #expect(text.hasPrefix("FROM base:tag\nLABEL "))
        #expect(InMemoryBuildingEngine.dockerfileLabels(text) == labels.dictionary)
    }

    @Test("only the era's own refusal triggers the fallback", arguments: [
        (#"POST /v1.19/images/create failed with HTTP 500: the daemon said "label is not a valid change command""#, true),
        (#"POST /v1.41/images/create failed with HTTP 500: the daemon said "no space left on device""#, false),
    ])
    func refusalRecognised(message: String, refused: Bool) {
        #expect(OuterImageLabels.refusesLabelChanges(InMemoryImageStore.ImportRejected(description: message)) == refused)
    }
}
