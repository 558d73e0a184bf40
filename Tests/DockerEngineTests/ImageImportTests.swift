import DockerEngine
import FakeEngine
import Foundation
import Testing

/// POST /images/create?fromSrc=-: a tarball streamed from a file, `changes` as repeated query
/// items, the image id from the final status, and `{"error": ...}` progress lines as errors.
@Suite("ImageImport", .timeLimit(.minutes(1)))
struct ImageImportTests {
    static let changes = [
        "LABEL dindlab.recipe=bookworm dindlab.docker-version=20.10.24",
        #"CMD ["sh", "-c", "echo ok"]"#,
        "ENV PATH=/usr/local/bin:/usr/bin:/bin",
    ]

    /// A file of several megabytes (its content is never parsed by the fake).
    static func writeTarball(in folder: URL, megabytes: Int = 5) throws -> URL {
        let url = folder.appendingPathComponent("rootfs.tar")
        let block = arbitraryBytes(count: 1 << 20, seed: 7)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let file = try FileHandle(forWritingTo: url)
        defer { try? file.close() }
        // Not a whole number of megabytes, so the last read of the upload is a partial one.
        for _ in 0..<megabytes { try file.write(contentsOf: block) }
        try file.write(contentsOf: block.prefix(12_345))
        return url
    }

    @Test(
        "An import streams the file, passes every change, and returns the final status's image id",
        arguments: DaemonPersona.all)
    func importsImage(persona: DaemonPersona) async throws {
        try await withClient(persona) { engine, client in
            try await withTemporaryDirectory { folder in
                let tarball = try Self.writeTarball(in: folder)
                let size = try #require(try FileManager.default.attributesOfItem(atPath: tarball.path)[.size] as? Int)
                guard APIVersion(persona.apiVersion)! >= APIVersion(1, 20) else {
                    // Docker 1.7's import takes no LABEL in its changes (the real daemon's words).
                    let error = await #expect(throws: EngineError.self) {
                        try await client.importImage(
                            tarFile: tarball, repository: "dindlab/outer", tag: "bookworm", changes: Self.changes)
                    }
                    #expect(
                        error?.status == 500 && error?.daemonMessage == "label is not a valid change command",
                        "\(String(describing: error))")
                    return
                }
                let id = try await client.importImage(
                    tarFile: tarball, repository: "dindlab/outer", tag: "bookworm", changes: Self.changes)
                // Content-addressed ids since Docker 1.10 (API 1.22).
                #expect(id.hasPrefix("sha256:") == (APIVersion(persona.apiVersion)! >= APIVersion(1, 22)))

                let request = try #require(engine.requests(endingWith: "/images/create").first)
                #expect(request.method == "POST")
                #expect(request.bodyLength == size)
                #expect(request.header("Content-Type") == "application/x-tar")
                // Old daemons never answer Expect: 100-continue; the client must not wait for it.
                #expect(request.header("Expect") == nil)
                let query = try #require(URLComponents(string: "http://engine" + request.path)?.queryItems)
                #expect(query.filter { $0.name == "changes" }.map(\.value) == Self.changes)
                #expect(query.first { $0.name == "fromSrc" }?.value == "-")
                #expect(query.first { $0.name == "repo" }?.value == "dindlab/outer")
                #expect(query.first { $0.name == "tag" }?.value == "bookworm")

                let image = try #require(try await client.inspectImage("dindlab/outer:bookworm"))
                #expect(image.id == id)
                #expect(image.labels == ["dindlab.recipe": "bookworm", "dindlab.docker-version": "20.10.24"])
                #expect(image.config?.cmd == ["sh", "-c", "echo ok"])
            }
        }
    }

    @Test(
        "A progress error ends the import with an EngineError carrying the daemon's message",
        arguments: [
            (DaemonPersona.docker1dot7, 0), (.docker26, 0), (.docker20dot10, 3),
        ])
    func progressError(persona: DaemonPersona, megabytes: Int) async throws {
        let message = "write /var/lib/docker/tmp/docker-import-123/rootfs.tar: no space left on device"
        try await withClient(persona) { engine, client in
            try await withTemporaryDirectory { folder in
                let tarball = try Self.writeTarball(in: folder, megabytes: megabytes)
                engine.setFault(.progressError(message), forPathContaining: "/images/create")
                let error = await #expect(throws: EngineError.self) {
                    try await client.importImage(tarFile: tarball, repository: "dindlab/outer", tag: "broken")
                }
                #expect(error?.daemonMessage == message)
                #expect(error?.description.contains(message) == true, "\(String(describing: error))")
                #expect(error?.description.contains("POST /images/create") == true, "\(String(describing: error))")
                #expect(try await client.inspectImage("dindlab/outer:broken") == nil)
            }
        }
    }
}
