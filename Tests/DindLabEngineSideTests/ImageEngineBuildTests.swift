import DindLabCore
import DindLabEngines
import DindLabRunner
import DockerEngine
import Foundation
import Testing

/// The engine named by DINDLAB_TEST_ENGINE (scripts/test starts one), if any.
let imageTestEngine: String? = {
    let value = ProcessInfo.processInfo.environment["DINDLAB_TEST_ENGINE"] ?? ""
    return value.isEmpty ? nil : value
}()

/// A static-binary build with a local "binary" imported into a real engine (the private
/// dockerd named by DINDLAB_TEST_ENGINE), then checked from inside a container of the image.
/// The base tree is the tiny test tree, so this takes seconds and needs no debootstrap.
@Suite("Image builds against a real engine", .enabled(if: imageTestEngine != nil, "DINDLAB_TEST_ENGINE is not set"))
struct ImageEngineBuildTests {
    static var engine: String? { imageTestEngine }

    @Test("a static-binary image has its labels, layout and inner busybox; a rebuild is skipped")
    func staticBinaryImage() async throws {
        let folder = try TemporaryFolder()
        let client = try EngineClient(explicitAddress: Self.engine, environment: [:])
        let store = EngineImageStore(client: client)
        let builder = OuterImageBuilder(
            engine: store, cache: ImageCache(root: folder.url.appendingPathComponent("cache")),
            rootfsProvider: TinyRootfsProvider(folder: folder.url.appendingPathComponent("trees")),
            progress: RecordingProgress())
        let name = "test-static-\(getpid())"
        let recipe = try Recipe.testStaticBinary(name: name, in: folder.url)
        let binary = try folder.fakeDockerBinary(version: "1.9.1")
        do {
            try await check(builder: builder, client: client, recipe: recipe, binary: binary)
            try? await client.removeImage("dindlab/outer:\(name)", force: true)
        } catch {
            try? await client.removeImage("dindlab/outer:\(name)", force: true)
            throw error
        }
    }

    private func check(builder: OuterImageBuilder, client: EngineClient, recipe: Recipe, binary: URL) async throws {
        let name = recipe.name
        let built = try await builder.build(recipe, options: .init(binary: binary))
        let image = try #require(try await client.inspectImage("dindlab/outer:\(name)"))
        #expect(image.id == built.imageID)
        let labels = try #require(OuterImageLabels(labels: image.labels))
        #expect(labels.dockerVersion == "1.9.1")
        #expect(labels.daemonCommand == ["docker", "daemon"])
        #expect(labels.apiVersion == "1.21")
        #expect(labels.innerImageFiles == ["busybox.tar"], "the label lists what /dindlab/images ships")
        #expect(image.config?.cmd == OuterImageLabels.idleCommand)
        #expect(
            try await client.listImages(labels: ["\(OuterImageLabels.recipeKey)=\(name)"]).flatMap { $0.repoTags ?? [] }
                == ["dindlab/outer:\(name)"])

        // Inside: the layered binary answers, the inner image and its index are there.
        var config = ContainerConfig(
            image: "dindlab/outer:\(name)",
            cmd: [
                "sh", "-c", "/usr/local/bin/docker --version; ls /dindlab/images; cat /dindlab/images/index.json",
            ])
        var host = HostConfig()
        host.networkMode = "none"
        config.hostConfig = host
        let container = try await client.createContainer(config)
        try await client.startContainer(container.id)
        #expect(try await client.waitContainer(container.id, timeout: .seconds(60)) == 0)
        let output = try await client.containerLogs(container.id, tty: false).stdoutText
        try? await client.removeContainer(container.id)
        #expect(output.contains("Docker version 1.9.1, build abcdef"))
        #expect(output.contains("busybox.tar"))
        #expect(output.contains("\"load\" : \"import\""))

        let again = try await builder.build(recipe, options: .init(binary: binary))
        #expect(again == .upToDate(imageID: built.imageID, labels: built.labels))
    }
}
