import DindLabCore
import DindLabEngines
import DindLabRunner
import Foundation

/// An image store in memory: imports keep a copy of the tarball so tests can look inside,
/// and LABEL changes become the image's labels the way Docker applies them.
final class InMemoryImageStore: ImageStoreEngine, @unchecked Sendable {
    struct Image {
        var id: String
        var labels: [String: String]
        var changes: [String]
        var tarball: URL?
    }

    private let lock = NSLock()
    private var images: [String: Image] = [:]
    private var tags: [String: String] = [:]
    private var counter = 0
    private let storage: URL
    /// When set, imports fail with this message (after consuming the tarball, like a daemon
    /// that rejects the layer).
    var failImports: String?
    /// Refuse LABEL in import changes as Docker 1.7 does (HTTP 500, plain text).
    var refusesLabelChanges = false
    private(set) var importCount = 0

    init() throws {
        storage = FileManager.default.temporaryDirectory.appendingPathComponent("dindlab-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: storage) }

    struct ImportRejected: Error, CustomStringConvertible { var description: String }

    func importImage(tarFile: URL, repository: String, tag: String, changes: [String], timeout: Duration) async throws
        -> String
    {
        try lock.withLock {
            importCount += 1
            if let failImports { throw ImportRejected(description: failImports) }
            if refusesLabelChanges, changes.contains(where: { $0.hasPrefix("LABEL ") }) {
                throw ImportRejected(
                    description:
                        #"POST /v1.19/images/create failed with HTTP 500: the daemon said "label is not a valid change command""#
                )
            }
            counter += 1
            let id = "sha256:" + SHA256.hexDigest(of: Data("image \(counter)".utf8))
            let copy = storage.appendingPathComponent("\(counter).tar")
            try FileManager.default.copyItem(at: tarFile, to: copy)
            images[id] = Image(id: id, labels: Self.labels(from: changes), changes: changes, tarball: copy)
            tags["\(repository):\(tag)"] = id
            return id
        }
    }

    func inspectImage(_ reference: String) async throws -> StoredImage? {
        lock.withLock { stored(id: tags[reference] ?? reference) }
    }

    func listImages(labelFilters: [String]) async throws -> [StoredImage] {
        lock.withLock {
            images.keys.sorted().compactMap { stored(id: $0) }.filter { image in
                labelFilters.allSatisfy { filter in
                    let parts = filter.split(separator: "=", maxSplits: 1).map(String.init)
                    return parts.count == 1 ? image.labels[parts[0]] != nil : image.labels[parts[0]] == parts[1]
                }
            }
        }
    }

    func tagImage(_ reference: String, repository: String, tag: String) async throws {
        lock.withLock {
            if let id = tags[reference] ?? (images[reference] != nil ? reference : nil) {
                tags["\(repository):\(tag)"] = id
            }
        }
    }

    func removeImage(_ reference: String) async throws {
        lock.withLock {
            if let id = tags.removeValue(forKey: reference) {
                if !tags.values.contains(id) { images[id] = nil }
            } else if images[reference] != nil, !tags.values.contains(reference) {
                images[reference] = nil
            }
        }
    }

    /// Adds an image as a build would, with labels merged over its parent's (`FROM`).
    private(set) var commitCount = 0

    func commitLabelled(
        _ reference: String, labels: [String: String], command: [String], repository: String, tag: String,
        timeout: Duration
    ) async throws -> String {
        lock.withLock {
            commitCount += 1
            counter += 1
            let id = "sha256:" + SHA256.hexDigest(of: Data("image \(counter)".utf8))
            let parent = images[tags[reference] ?? reference]
            images[id] = Image(
                id: id, labels: (parent?.labels ?? [:]).merging(labels) { $1 }, changes: ["CMD \(command)"],
                tarball: parent?.tarball)
            tags["\(repository):\(tag)"] = id
            return id
        }
    }

    func addBuiltImage(repository: String, tag: String, labels: [String: String], parent: String?) -> String {
        lock.withLock {
            counter += 1
            let id = "sha256:" + SHA256.hexDigest(of: Data("image \(counter)".utf8))
            let inherited = parent.flatMap { images[tags[$0] ?? $0]?.labels } ?? [:]
            images[id] = Image(id: id, labels: inherited.merging(labels) { $1 }, changes: [], tarball: nil)
            tags["\(repository):\(tag)"] = id
            return id
        }
    }

    /// The image a reference points at, with its tarball and changes.
    func image(_ reference: String) -> Image? {
        lock.withLock { images[tags[reference] ?? reference] }
    }

    var allTags: [String] { lock.withLock { tags.keys.sorted() } }
    var imageCount: Int { lock.withLock { images.count } }

    private func stored(id: String) -> StoredImage? {
        guard let image = images[id] else { return nil }
        return StoredImage(id: id, repoTags: tags.filter { $0.value == id }.map(\.key).sorted(), labels: image.labels)
    }

    /// Applies `LABEL key="value"` instructions: the inverse of dindlab's quoting.
    static func labels(from changes: [String]) -> [String: String] {
        var labels: [String: String] = [:]
        for change in changes where change.hasPrefix("LABEL ") {
            let body = change.dropFirst("LABEL ".count)
            guard let equals = body.firstIndex(of: "=") else { continue }
            var value = ""
            var escaped = false
            for character in body[body.index(after: equals)...].dropFirst().dropLast() {
                if escaped || character != "\\" {
                    value.append(character)
                    escaped = false
                } else {
                    escaped = true
                }
            }
            labels[String(body[..<equals])] = value
        }
        return labels
    }
}

/// Gives a tiny base tree instead of running debootstrap: the host's static busybox as
/// /bin/busybox with a /bin/sh link, and a dpkg status file, so builds run in a second.
struct TinyRootfsProvider: BaseRootfsProvider {
    let folder: URL

    static let hostBusybox = ["/bin/busybox", "/usr/bin/busybox"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    func existingRootfs(for request: BaseRootfsRequest) -> URL? {
        let tree = folder.appendingPathComponent(request.cacheKey)
        return FileManager.default.fileExists(atPath: tree.path) ? tree : nil
    }

    func makeRootfs(for request: BaseRootfsRequest) async throws -> URL {
        let tree = folder.appendingPathComponent(request.cacheKey)
        let fileManager = FileManager.default
        for path in ["bin", "etc", "usr/local/bin", "var/lib/dpkg"] {
            try fileManager.createDirectory(at: tree.appendingPathComponent(path), withIntermediateDirectories: true)
        }
        if let busybox = Self.hostBusybox {
            try fileManager.copyItem(atPath: busybox, toPath: tree.appendingPathComponent("bin/busybox").path)
            try fileManager.createSymbolicLink(
                atPath: tree.appendingPathComponent("bin/sh").path, withDestinationPath: "busybox")
        }
        try Data("ID=debian\n".utf8).write(to: tree.appendingPathComponent("etc/os-release"))
        try Data("Package: busybox-static\nStatus: install ok installed\nVersion: 1:1.35.0-4\n".utf8)
            .write(to: tree.appendingPathComponent("var/lib/dpkg/status"))
        return tree
    }
}

/// Records build events.
actor RecordingProgress: BuildProgressReporter {
    private(set) var events: [BuildEvent] = []

    func report(_ event: BuildEvent) {
        events.append(event)
    }

    var phases: [String] {
        events.compactMap { if case .phase(_, let phase) = $0 { phase } else { nil } }
    }
}

/// A temporary folder removed when the value goes away.
final class TemporaryFolder: @unchecked Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("dindlab-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes an executable script that prints like a Docker binary of a given version.
    func fakeDockerBinary(version: String, name: String = "docker-fake") throws -> URL {
        let file = url.appendingPathComponent(name)
        try EngineTestHost.writeExecutable(
            "#!/bin/sh\necho \"Docker version \(version), build abcdef\"\n", to: file.path)
        return file
    }
}

extension Recipe {
    /// A static-binary recipe in a folder of its own, with a recipe file so it has a sha256.
    static func testStaticBinary(
        name: String = "test-static", in folder: URL, url: URL? = nil, sha256: String? = nil,
        recipeText: String = "kind: static-binary\n"
    ) throws -> Recipe {
        let recipeFolder = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: recipeFolder, withIntermediateDirectories: true)
        try Data(recipeText.utf8).write(to: recipeFolder.appendingPathComponent(Recipe.fileName))
        return Recipe(
            name: name, kind: .staticBinary(DebianBase(suite: .bookworm), StaticBinary(url: url, sha256: sha256)),
            folder: recipeFolder, fileSHA256: SHA256.hexDigest(of: Data(recipeText.utf8)))
    }
}

/// An engine that builds Dockerfiles in memory: a build becomes an image with the given
/// labels (over those of the `FROM` image, read from the context's Dockerfile), and running
/// a command answers with a fixed output.
struct InMemoryBuildingEngine: ImageBuildingEngine {
    let store: InMemoryImageStore
    let versionOutput: String
    /// Ignore the labels of POST /build, as engines before API 1.23 do.
    var ignoresBuildLabels = false
    let builds = Recorder<String>()

    func importImage(tarFile: URL, repository: String, tag: String, changes: [String], timeout: Duration) async throws
        -> String
    {
        try await store.importImage(
            tarFile: tarFile, repository: repository, tag: tag, changes: changes, timeout: timeout)
    }
    func inspectImage(_ reference: String) async throws -> StoredImage? { try await store.inspectImage(reference) }
    func listImages(labelFilters: [String]) async throws -> [StoredImage] {
        try await store.listImages(labelFilters: labelFilters)
    }
    func tagImage(_ reference: String, repository: String, tag: String) async throws {
        try await store.tagImage(reference, repository: repository, tag: tag)
    }
    func removeImage(_ reference: String) async throws { try await store.removeImage(reference) }
    func commitLabelled(
        _ reference: String, labels: [String: String], command: [String], repository: String, tag: String,
        timeout: Duration
    ) async throws -> String {
        try await store.commitLabelled(
            reference, labels: labels, command: command, repository: repository, tag: tag, timeout: timeout)
    }

    func buildImage(
        contextTar: URL, dockerfile: String, repository: String, tag: String, labels: [String: String],
        timeout: Duration
    ) async throws -> String {
        let text = try await BuildCommandForTests.run(["tar", "-xOf", contextTar.path, "./\(dockerfile)"])
        await builds.append(text)
        let parent = text.split(separator: "\n").first { $0.hasPrefix("FROM ") }.map { String($0.dropFirst(5)) }
        return store.addBuiltImage(
            repository: repository, tag: tag,
            labels: Self.dockerfileLabels(text).merging(ignoresBuildLabels ? [:] : labels) { $1 }, parent: parent)
    }

    func runToCompletion(image: String, command: [String], timeout: Duration) async throws -> String {
        versionOutput
    }

    /// The labels of a Dockerfile's LABEL instructions (`key="value"` pairs, backslash line
    /// continuations and escapes), as Docker's builder reads them.
    static func dockerfileLabels(_ text: String) -> [String: String] {
        var labels: [String: String] = [:]
        let joined = text.replacingOccurrences(of: "\\\n", with: " ")
        for line in joined.split(separator: "\n") where line.hasPrefix("LABEL ") {
            var rest = Substring(line.dropFirst("LABEL ".count))
            while let equals = rest.firstIndex(of: "=") {
                let key = rest[..<equals].trimmingCharacters(in: .whitespaces)
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { break }
                rest = rest.dropFirst()
                var value = ""
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
                labels[key] = value
            }
        }
        return labels
    }
}

/// Collects values from concurrent code.
actor Recorder<Value: Sendable> {
    private(set) var values: [Value] = []
    func append(_ value: Value) { values.append(value) }
}
