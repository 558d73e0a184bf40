import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation
import Testing

@Suite("Image dockerfile builds")
struct ImageDockerfileBuildTests {
    private func recipe(in folder: TemporaryFolder) throws -> Recipe {
        let recipeFolder = folder.url.appendingPathComponent("centos7")
        try FileManager.default.createDirectory(at: recipeFolder, withIntermediateDirectories: true)
        let text = "version: 1\nkind: dockerfile\n"
        try Data(text.utf8).write(to: recipeFolder.appendingPathComponent(Recipe.fileName))
        try Data("FROM centos:7\nCOPY start.sh /\n".utf8).write(to: recipeFolder.appendingPathComponent("Dockerfile"))
        try Data("#!/bin/sh\n".utf8).write(to: recipeFolder.appendingPathComponent("start.sh"))
        return Recipe(
            name: "centos7", kind: .dockerfile(DockerfileSpec()), folder: recipeFolder,
            fileSHA256: SHA256.hexDigest(of: Data(text.utf8)))
    }

    @Test("builds the Dockerfile, reads the version in the image, labels and tags the result")
    func build() async throws {
        let folder = try TemporaryFolder()
        let store = try InMemoryImageStore()
        let engine = InMemoryBuildingEngine(store: store, versionOutput: "Docker version 1.9.1, build a34a1d5\n")
        let builder = OuterImageBuilder(
            engine: engine, cache: ImageCache(root: folder.url.appendingPathComponent("cache")),
            progress: RecordingProgress())
        let recipe = try recipe(in: folder)

        let outcome = try await builder.build(recipe)
        #expect(outcome.labels.dockerVersion == "1.9.1")
        #expect(outcome.labels.daemonCommand == ["docker", "daemon"])
        #expect(outcome.labels.recipeKind == "dockerfile")
        let image = try #require(try await store.inspectImage("dindlab/outer:centos7"))
        #expect(OuterImageLabels(labels: image.labels) == outcome.labels)
        #expect(store.allTags == ["dindlab/outer:centos7"])

        let builds = await engine.builds.values
        #expect(builds.count == 2)
        #expect(builds.first == "FROM centos:7\nCOPY start.sh /\n")
        // LABEL in the Dockerfile: engines before API 1.23 ignore the labels of POST /build.
        #expect(
            builds.last?.hasPrefix(
                "FROM dindlab/outer-partial:centos7-pid\(getpid())-stage\nLABEL dindlab.api.version=") == true)

        #expect(try await builder.build(recipe) == .upToDate(imageID: outcome.imageID, labels: outcome.labels))
        // Editing a file of the context changes the build key.
        try Data("#!/bin/sh\necho changed\n".utf8).write(to: recipe.folder.appendingPathComponent("start.sh"))
        guard case .built = try await builder.build(recipe) else {
            Issue.record("a changed context did not rebuild")
            return
        }
    }

    @Test("a built image without a Docker version fails and leaves no tags")
    func noVersion() async throws {
        let folder = try TemporaryFolder()
        let store = try InMemoryImageStore()
        let engine = InMemoryBuildingEngine(store: store, versionOutput: "sh: docker: not found\n")
        let builder = OuterImageBuilder(
            engine: engine, cache: ImageCache(root: folder.url.appendingPathComponent("cache")),
            progress: RecordingProgress())
        let error = try await #require(throws: ImageBuildError.self) { try await builder.build(try recipe(in: folder)) }
        #expect(error.description.contains("docker: not found"))
        #expect(store.allTags.isEmpty)
    }

    @Test("an engine that cannot build says so")
    func noBuildSupport() async throws {
        let folder = try TemporaryFolder()
        let builder = OuterImageBuilder(
            engine: try InMemoryImageStore(), cache: ImageCache(root: folder.url.appendingPathComponent("cache")),
            progress: RecordingProgress())
        let error = try await #require(throws: ImageBuildError.self) { try await builder.build(try recipe(in: folder)) }
        #expect(error.description.contains("POST /build"))
    }
}
