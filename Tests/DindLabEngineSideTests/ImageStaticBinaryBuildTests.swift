import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation
import Testing

/// Static-binary builds end to end against an in-memory engine and a tiny base tree: the
/// "binary" is a shell script that prints like Docker, so no debootstrap and no download.
@Suite("Image static-binary builds")
struct ImageStaticBinaryBuildTests {
    struct Setup {
        let folder: TemporaryFolder
        let store: InMemoryImageStore
        let progress = RecordingProgress()
        let builder: OuterImageBuilder

        init() throws {
            folder = try TemporaryFolder()
            store = try InMemoryImageStore()
            builder = OuterImageBuilder(
                engine: store, cache: ImageCache(root: folder.url.appendingPathComponent("cache")),
                rootfsProvider: TinyRootfsProvider(folder: folder.url.appendingPathComponent("trees")),
                progress: progress, downloadStallTimeout: 2)
        }
    }

    @Test(
        "layers the binary, labels the image by the binary's own version and era",
        arguments: [
            ("1.7.1", ["docker", "-d"], "1.19", false),
            ("1.9.1", ["docker", "daemon"], "1.21", false),
            ("1.12.6", ["dockerd"], "1.24", true),
        ])
    func layering(version: String, command: [String], api: String, hasDockerd: Bool) async throws {
        let setup = try Setup()
        let binary = try setup.folder.fakeDockerBinary(version: version)
        let recipe = try Recipe.testStaticBinary(in: setup.folder.url)

        let outcome = try await setup.builder.build(recipe, options: .init(binary: binary))

        guard case .built(let id, let labels) = outcome else {
            Issue.record("expected a build, got \(outcome)")
            return
        }
        #expect(labels.dockerVersion == version)
        #expect(labels.daemonCommand == command)
        #expect(labels.apiVersion == api)
        #expect(labels.recipe == "test-static")
        #expect(labels.recipeKind == "static-binary")
        #expect(labels.recipeSHA256 == recipe.fileSHA256)

        let image = try #require(setup.store.image("dindlab/outer:test-static"))
        #expect(image.id == id)
        #expect(OuterImageLabels(labels: image.labels) == labels)
        #expect(image.changes.last == #"CMD ["sleep","infinity"]"#)

        let tarball = try #require(image.tarball)
        let members = Set(try await RootfsTarball.members(of: tarball))
        #expect(
            members.isSuperset(of: [
                "./bin/busybox", "./var/lib/dpkg/status", "./usr/local/bin/docker",
                "./dindlab/images/busybox.tar", "./dindlab/images/index.json",
            ]))
        #expect(members.contains("./usr/local/bin/dockerd") == hasDockerd)

        // The layered file is the given binary, executable.
        let extracted = setup.folder.url.appendingPathComponent("extracted")
        try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
        _ = try await BuildCommandForTests.run([
            "tar", "-xf", tarball.path, "-C", extracted.path, "./usr/local/bin/docker", "./dindlab/images/index.json",
        ])
        let docker = extracted.appendingPathComponent("usr/local/bin/docker")
        #expect(try SHA256.hexDigest(ofFileAt: docker) == SHA256.hexDigest(ofFileAt: binary))
        #expect(FileManager.default.isExecutableFile(atPath: docker.path))
        let index = try JSONDecoder().decode(
            InnerImageIndex.self, from: Data(contentsOf: extracted.appendingPathComponent("dindlab/images/index.json")))
        #expect(index == InnerImageIndex.standard)

        // Only the final tag remains; temporaries and scratch space are gone.
        #expect(setup.store.allTags == ["dindlab/outer:test-static"])
        let work = setup.folder.url.appendingPathComponent("cache/work")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []).isEmpty)
    }

    @Test("a second build of the unchanged recipe is up to date; --force and a new binary rebuild")
    func contentAddressed() async throws {
        let setup = try Setup()
        let binary = try setup.folder.fakeDockerBinary(version: "1.9.1")
        let recipe = try Recipe.testStaticBinary(in: setup.folder.url)

        let first = try await setup.builder.build(recipe, options: .init(binary: binary))
        let second = try await setup.builder.build(recipe, options: .init(binary: binary))
        #expect(second == .upToDate(imageID: first.imageID, labels: first.labels))
        #expect(setup.store.importCount == 1)

        let forced = try await setup.builder.build(recipe, options: .init(force: true, binary: binary))
        guard case .built = forced else {
            Issue.record("--force did not rebuild")
            return
        }
        #expect(forced.imageID != first.imageID)
        #expect(setup.store.importCount == 2)
        // The replaced image had no other tag and is removed.
        #expect(setup.store.imageCount == 1)

        let other = try setup.folder.fakeDockerBinary(version: "1.8.3", name: "docker-1.8.3")
        let rebuilt = try await setup.builder.build(recipe, options: .init(binary: other))
        #expect(rebuilt.labels.dockerVersion == "1.8.3")
        #expect(setup.store.importCount == 3)
    }

    @Test("a binary whose sha256 differs from the recipe's is refused, naming both sums")
    func checksumMismatch() async throws {
        let setup = try Setup()
        let binary = try setup.folder.fakeDockerBinary(version: "1.9.1")
        let expected = String(repeating: "0", count: 64)
        let recipe = try Recipe.testStaticBinary(in: setup.folder.url, sha256: expected)

        let error = try await #require(throws: ImageBuildError.self) {
            try await setup.builder.build(recipe, options: .init(binary: binary))
        }
        let actual = try SHA256.hexDigest(ofFileAt: binary)
        #expect(error.description.contains(expected))
        #expect(error.description.contains(actual))
        // with --binary: FrontendTests
        #expect(error.description.contains("Give the file whose sha256 is \(expected)"))
        #expect(setup.store.importCount == 0)
    }

    @Test("a matching sha256 is accepted")
    func checksumMatch() async throws {
        let setup = try Setup()
        let binary = try setup.folder.fakeDockerBinary(version: "1.9.1")
        let recipe = try Recipe.testStaticBinary(in: setup.folder.url, sha256: try SHA256.hexDigest(ofFileAt: binary))
        let outcome = try await setup.builder.build(recipe, options: .init(binary: binary))
        #expect(outcome.labels.dockerVersion == "1.9.1")
    }

    @Test("an unreachable URL fails fast with what to pass")
    func unreachableURL() async throws {
        let setup = try Setup()
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        let url = try #require(URL(string: "http://127.0.0.1:9/builds/Linux/x86_64/docker-1.9.1"))
        let recipe = try Recipe.testStaticBinary(
            in: setup.folder.url, url: url, sha256: String(repeating: "a", count: 64))
        let error = try await #require(throws: ImageBuildError.self) {
            try await setup.builder.build(recipe)
        }
        #expect(error.description.contains("Give a local copy of that file."))  // with --binary: FrontendTests
        #expect(error.description.contains(url.absoluteString))
        #expect(setup.store.importCount == 0)
    }

    @Test("a recipe without URL needs --binary, and says so")
    func noURL() async throws {
        let setup = try Setup()
        let recipe = try Recipe.testStaticBinary(in: setup.folder.url)
        let error = try await #require(throws: ImageBuildError.self) {
            try await setup.builder.build(recipe)
        }
        #expect(error.description.contains("must be given as a local file"))  // with --binary: FrontendTests
    }

    @Test("a file:// URL is fetched into the cache by its sha256")
    func fileURL() async throws {
        let setup = try Setup()
        let binary = try setup.folder.fakeDockerBinary(version: "1.8.3")
        let sha = try SHA256.hexDigest(ofFileAt: binary)
        let recipe = try Recipe.testStaticBinary(in: setup.folder.url, url: binary, sha256: sha)
        let outcome = try await setup.builder.build(recipe)
        #expect(outcome.labels.daemonCommand == ["docker", "daemon"])
        #expect(
            FileManager.default.fileExists(
                atPath: setup.folder.url.appendingPathComponent("cache/binaries/\(sha)").path))
    }

    @Test("a failed import leaves no tag and no scratch space")
    func failedImport() async throws {
        let setup = try Setup()
        setup.store.failImports = "write /var/lib/docker/tmp: no space left on device"
        let binary = try setup.folder.fakeDockerBinary(version: "1.9.1")
        let recipe = try Recipe.testStaticBinary(in: setup.folder.url)
        let error = try await #require(throws: ImageBuildError.self) {
            try await setup.builder.build(recipe, options: .init(binary: binary))
        }
        #expect(error.description.contains("no space left on device"))
        #expect(error.description.contains("test-static"))
        #expect(setup.store.allTags.isEmpty)
        let work = setup.folder.url.appendingPathComponent("cache/work")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []).isEmpty)
        let events = await setup.progress.events
        #expect(events.contains { if case .failed(recipe: "test-static", _) = $0 { true } else { false } })
    }

    @Test("a binary that prints no version fails the build, saying what was tried")
    func unreadableVersion() async throws {
        let setup = try Setup()
        let binary = setup.folder.url.appendingPathComponent("not-docker")
        try EngineTestHost.writeExecutable("#!/bin/sh\necho hello\n", to: binary.path)
        let recipe = try Recipe.testStaticBinary(in: setup.folder.url)
        let error = try await #require(throws: ImageBuildError.self) {
            try await setup.builder.build(recipe, options: .init(binary: binary))
        }
        #expect(error.description.contains("Could not read the Docker version"))
        #expect(error.description.contains("hello"))
        #expect(setup.store.allTags.isEmpty)
    }

    @Test("a temporary tag left by a dead build is removed by the next build")
    func abandonedPartials() async throws {
        let setup = try Setup()
        let binary = try setup.folder.fakeDockerBinary(version: "1.9.1")
        let recipe = try Recipe.testStaticBinary(in: setup.folder.url)
        // A build whose process (pid 2^22+1, beyond pid_max's default) is gone left this behind.
        let tar = setup.folder.url.appendingPathComponent("empty.tar")
        _ = try await BuildCommandForTests.run(["tar", "-cf", tar.path, "-T", "/dev/null"])
        _ = try await setup.store.importImage(
            tarFile: tar, repository: OuterImageBuilder.partialRepository, tag: "test-static-pid4194305",
            changes: [#"LABEL dindlab.recipe="test-static""#], timeout: .seconds(5))

        _ = try await setup.builder.build(recipe, options: .init(binary: binary))
        #expect(setup.store.allTags == ["dindlab/outer:test-static"])
    }

    @Test("phases are reported in order")
    func phases() async throws {
        let setup = try Setup()
        let binary = try setup.folder.fakeDockerBinary(version: "1.9.1")
        let recipe = try Recipe.testStaticBinary(in: setup.folder.url)
        _ = try await setup.builder.build(recipe, options: .init(binary: binary))
        let phases = await setup.progress.phases
        #expect(phases.first == "checking inputs")
        #expect(phases.last == "tagging dindlab/outer:test-static")
        for expected in [
            "checking Docker binary", "layering Docker binary", "making inner images",
            "writing root filesystem tarball", "importing into the engine",
        ] {
            #expect(phases.contains(expected), "missing phase \(expected)")
        }
    }

    @Test("a cancelled build stops, reports the interruption and leaves nothing behind")
    func cancelled() async throws {
        let folder = try TemporaryFolder()
        let store = try InMemoryImageStore()
        let progress = RecordingProgress()
        let builder = OuterImageBuilder(
            engine: store, cache: ImageCache(root: folder.url.appendingPathComponent("cache")),
            rootfsProvider: NeverFinishingRootfsProvider(), progress: progress)
        let binary = try folder.fakeDockerBinary(version: "1.9.1")
        let recipe = try Recipe.testStaticBinary(in: folder.url)

        let build = Task { try await builder.build([recipe], options: .init(binary: binary)) }
        while await !progress.phases.contains(where: { $0.hasPrefix("debootstrap") }) { await Task.yield() }
        build.cancel()
        await #expect(throws: CancellationError.self) { try await build.value }

        #expect(store.allTags.isEmpty)
        #expect(store.importCount == 0)
        let work = folder.url.appendingPathComponent("cache/work")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []).isEmpty)
        let events = await progress.events
        #expect(
            events.last == .failed(recipe: "test-static", message: "interrupted; what the build had made is removed"))
    }
}

/// A base tree that takes forever to make, until the build is cancelled.
struct NeverFinishingRootfsProvider: BaseRootfsProvider {
    func existingRootfs(for request: BaseRootfsRequest) -> URL? { nil }

    func makeRootfs(for request: BaseRootfsRequest) async throws -> URL {
        try await Task.sleep(for: .seconds(3600))
        throw CancellationError()
    }
}
