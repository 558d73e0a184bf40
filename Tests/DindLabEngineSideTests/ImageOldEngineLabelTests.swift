import DindLabCore
import DindLabEngines
import DindLabRunner
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
        let labels = try #require(
            OuterImageLabels(labels: image.labels), "the image has no dindlab labels: \(image.labels)")
        #expect(labels == outcome.labels)
        #expect(labels.daemonCommand == ["docker", "-d"])
        #expect(labels.dockerVersion == "1.7.1")
        // One import when the engine takes LABEL; a refused one, one without changes and a commit otherwise.
        #expect(store.importCount == (engineRefusesLabels ? 2 : 1))
        #expect(store.commitCount == (engineRefusesLabels ? 1 : 0))
        #expect(await engine.builds.values.isEmpty)
        if engineRefusesLabels {
            let notes = await progress.events.compactMap { event -> String? in
                if case .note(_, let message) = event { message } else { nil }
            }
            #expect(notes.contains { $0.contains("takes no LABEL in import changes") })
        }
        // Nothing temporary is left, and the next build finds the image up to date by its labels.
        #expect(store.allTags == ["dindlab/outer:test-static"])
        #expect(
            try await builder.build(recipe, options: .init(binary: binary))
                == .upToDate(imageID: outcome.imageID, labels: outcome.labels))
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

    @Test(
        "only the era's own refusal triggers the fallback",
        arguments: [
            (
                #"POST /v1.19/images/create failed with HTTP 500: the daemon said "label is not a valid change command""#,
                true
            ),
            (#"POST /v1.41/images/create failed with HTTP 500: the daemon said "no space left on device""#, false),
        ])
    func refusalRecognised(message: String, refused: Bool) {
        #expect(
            OuterImageLabels.refusesLabelChanges(InMemoryImageStore.ImportRejected(description: message)) == refused)
    }
}

/// `images build RECIPE --binary PATH --own-build`: a user's own build of an old release.
@Suite("Image builds from one's own binaries")
struct ImageOwnBuildTests {
    @Test(
        "an own build is used whatever its sha256, and its version and digest reach the labels; without the flag it is refused"
    )
    func ownBuild() async throws {
        let folder = try TemporaryFolder()
        let store = try InMemoryImageStore()
        let progress = RecordingProgress()
        let builder = OuterImageBuilder(
            engine: store, cache: ImageCache(root: folder.url.appendingPathComponent("cache")),
            rootfsProvider: TinyRootfsProvider(folder: folder.url.appendingPathComponent("trees")), progress: progress)
        let published = String(repeating: "ab", count: 32)
        let recipe = try Recipe.testStaticBinary(in: folder.url, sha256: published)
        let binary = try folder.fakeDockerBinary(version: "1.9.1")
        let digest = try SHA256.hexDigest(ofFileAt: binary)

        let refused = await #expect(throws: ImageBuildError.self) {
            try await builder.build(recipe, options: .init(binary: binary))
        }
        // --own-build: FrontendTests
        #expect(refused?.description.contains("if this file is your own build of that release, say so") == true)

        let outcome = try await builder.build(recipe, options: .init(binary: binary, ownBuild: true))
        #expect(outcome.labels.dockerVersion == "1.9.1")
        #expect(outcome.labels.binarySHA256 == digest)
        #expect(outcome.labels.binaryOrigin == .ownBuild)
        let image = try #require(store.image("dindlab/outer:test-static"))
        #expect(image.labels[OuterImageLabels.binarySHA256Key] == digest)
        #expect(image.labels[OuterImageLabels.binaryOriginKey] == "own-build")
        #expect(OuterImageLabels(labels: image.labels) == outcome.labels)
        let notes = await progress.events.compactMap { event -> String? in
            if case .note(_, let message) = event { message } else { nil }
        }
        #expect(
            notes.contains { $0.contains("Docker 1.9.1") && $0.contains(digest) && $0.contains(published) }, "\(notes)")
    }

    @Test("a binary with the recipe's own sha256 is recorded as the published one")
    func publishedBinary() async throws {
        let folder = try TemporaryFolder()
        let store = try InMemoryImageStore()
        let builder = OuterImageBuilder(
            engine: store, cache: ImageCache(root: folder.url.appendingPathComponent("cache")),
            rootfsProvider: TinyRootfsProvider(folder: folder.url.appendingPathComponent("trees")),
            progress: RecordingProgress())
        let binary = try folder.fakeDockerBinary(version: "1.8.3")
        let digest = try SHA256.hexDigest(ofFileAt: binary)
        let recipe = try Recipe.testStaticBinary(in: folder.url, sha256: digest)
        let outcome = try await builder.build(recipe, options: .init(binary: binary))
        #expect(outcome.labels.binarySHA256 == digest && outcome.labels.binaryOrigin == .published)
    }
}
