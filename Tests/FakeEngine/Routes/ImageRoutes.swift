import Foundation

/// Images: import (`fromSrc=-`), pull of already-known images, load, list, inspect, remove.
/// Uploaded bodies are counted and scanned as they arrive, never held whole in memory.
enum ImageRoutes {
    static let routes: [Route] = [
        Route("POST", "/images/create", create),
        Route("POST", "/images/load", load),
        Route("GET", "/images/json", list),
        Route("GET", "/images/{name*}/json", inspect),
        Route("POST", "/images/{name*}/tag", tag),
        Route("DELETE", "/images/{name*}", remove),
    ]

    static func create(_ context: RequestContext) throws -> Reply {
        if let source = context.query["fromSrc"], !source.isEmpty {
            guard source == "-" else {
                throw APIError(status: 500, message: "the fake engine has no network and cannot download \(source)")
            }
            return try importImage(context)
        }
        if let image = context.query["fromImage"], !image.isEmpty {
            return try pull(context, image: image)
        }
        throw APIError.badRequest("either fromSrc or fromImage must be given")
    }

    /// `fromSrc=-`: the body is a root filesystem tar; the answer is a progress stream ending
    /// with the new image's id. The body is read to its end before answering (a real daemon
    /// starts answering while it still reads).
    private static func importImage(_ context: RequestContext) throws -> Reply {
        let repository = context.query["repo"].flatMap { $0.isEmpty ? nil : $0 }
        let tag = context.query["tag"].flatMap { $0.isEmpty ? nil : $0 } ?? "latest"
        let changes = context.query.all("changes")
        var received = 0
        while let chunk = try context.body.nextChunk() { received += chunk.count }
        if !context.persona.has(.labelImportChanges),
            changes.contains(where: { $0.trimmingCharacters(in: .whitespaces).uppercased().hasPrefix("LABEL ") })
        {
            // Docker 1.7's import takes CMD, ENTRYPOINT, ENV, EXPOSE, ONBUILD, USER, VOLUME, WORKDIR.
            throw APIError(status: 500, message: "label is not a valid change command")
        }

        try context.beginJSONMessageStream()
        let step = max(1 << 20, received / 100)
        var reported = step
        while reported <= received {
            try context.writeJSONMessage(importProgress(reported))
            if let message = context.progressError { return try endWithError(message, context) }
            reported += step
        }
        if let message = context.progressError {
            try context.writeJSONMessage(importProgress(received))
            return try endWithError(message, context)
        }
        var labels: [String: String] = [:]
        var cmd: [String]?
        var entrypoint: [String]?
        var env: [String] = []
        EngineModel.apply(changes: changes, labels: &labels, cmd: &cmd, entrypoint: &entrypoint, env: &env)
        let id = context.state.access { model in
            model.addImage(
                reference: repository.map { "\($0):\(tag)" }, labels: labels, cmd: cmd,
                entrypoint: entrypoint, env: env, changes: changes, size: received)
        }
        try context.writeJSONMessage(["status": JSON(id)])
        try context.response.endStream()
        return .handled
    }

    private static func importProgress(_ bytes: Int) -> JSON {
        [
            "status": "Importing", "progressDetail": ["current": JSON(bytes)],
            "progress": JSON(String(format: "%.3fMB", Double(bytes) / 1e6)),
        ]
    }

    private static func endWithError(_ message: String, _ context: RequestContext) throws -> Reply {
        try context.writeJSONMessageError(message)
        try context.response.endStream()
        return .handled
    }

    /// There is no registry: pulling an image the engine already has reports it up to date;
    /// any other image is "pull access denied".
    private static func pull(_ context: RequestContext, image: String) throws -> Reply {
        let tag = context.query["tag"].flatMap { $0.isEmpty ? nil : $0 }
        let reference = ImageReference.normalize(tag.map { "\(image):\($0)" } ?? image)
        let known = context.state.access { $0.imageIndex(reference) != nil }
        guard known else {
            let repository = reference.split(separator: ":").first.map(String.init) ?? reference
            throw APIError.notFound(
                "pull access denied for \(repository), repository does not exist or may require 'docker login': denied: requested access to the resource is denied"
            )
        }
        let repository = reference.split(separator: ":").first.map(String.init) ?? reference
        let shortTag = reference.split(separator: ":").last.map(String.init) ?? "latest"
        try context.beginJSONMessageStream()
        try context.writeJSONMessage(["status": JSON("Pulling from library/\(repository)"), "id": JSON(shortTag)])
        if let message = context.progressError { return try endWithError(message, context) }
        try context.writeJSONMessage(["status": JSON("Digest: sha256:" + HexID.make())])
        try context.writeJSONMessage(["status": JSON("Status: Image is up to date for \(reference)")])
        try context.response.endStream()
        return .handled
    }

    /// The body is a `docker save` tar; its manifest.json (or old "repositories" file) names the
    /// images. A body without either loads "busybox:latest", so tests may send any bytes.
    static func load(_ context: RequestContext) throws -> Reply {
        var reader = TarReader(
            keepContents: { $0 == "manifest.json" || $0 == "repositories" }, maximumKeptSize: 1 << 20)
        var received = 0
        while let chunk = try context.body.nextChunk() {
            received += chunk.count
            reader.feed(chunk)
        }
        let tags = loadedTags(reader.entries)
        let reportsJSON = context.persona.has(.loadReportsJSON)
        if reportsJSON { try context.beginJSONMessageStream() }
        if let message = context.progressError {
            guard reportsJSON else { throw APIError(status: 500, message: message) }
            return try endWithError(message, context)
        }
        context.state.access { model in
            for tag in tags { _ = model.addImage(reference: tag, labels: [:], cmd: ["sh"], size: received) }
        }
        guard reportsJSON else { return .empty(status: 200) }
        for tag in tags { try context.writeJSONMessage(["stream": JSON("Loaded image: \(tag)\n")]) }
        try context.response.endStream()
        return .handled
    }

    private static func loadedTags(_ entries: [TarEntry]) -> [String] {
        if let manifest = entries.first(where: { $0.name == "manifest.json" })?.contents,
            let parsed = try? JSON.parse(manifest), let images = parsed.array
        {
            let tags = images.flatMap { $0["RepoTags"]?.stringArray ?? [] }
            if !tags.isEmpty { return tags }
        }
        if let repositories = entries.first(where: { $0.name == "repositories" })?.contents,
            let parsed = try? JSON.parse(repositories), let fields = parsed.fields
        {
            let tags = fields.flatMap { repository in
                (repository.value.fields ?? []).map { "\(repository.key):\($0.key)" }
            }
            if !tags.isEmpty { return tags }
        }
        return ["busybox:latest"]
    }

    static func list(_ context: RequestContext) throws -> Reply {
        let images = context.state.access { $0.images }
        let modern = context.persona.has(.digestImageIDs)
        return .json(
            .array(
                images.reversed().map { image in
                    [
                        "Containers": -1,
                        "Created": JSON(DockerTime.unixSeconds(image.created)),
                        "Id": JSON(image.id),
                        "Labels": JSON(image.labels),
                        "ParentId": "",
                        "RepoDigests": modern ? [] : nil,
                        "RepoTags": JSON(image.repoTags.isEmpty && !modern ? ["<none>:<none>"] : image.repoTags),
                        "SharedSize": -1,
                        "Size": JSON(image.size),
                        "VirtualSize": JSON(image.size),
                    ]
                }))
    }

    static func inspect(_ context: RequestContext) throws -> Reply {
        let name = context.parameter("name")
        let image = try context.state.access { model in
            guard let index = model.imageIndex(name) else { throw APIError.noSuchImage(name) }
            return model.images[index]
        }
        return .json([
            "Id": JSON(image.id),
            "RepoTags": JSON(image.repoTags),
            "RepoDigests": [],
            "Parent": "",
            "Comment": image.changes.isEmpty ? "" : "Imported from -",
            "Created": JSON(DockerTime.rfc3339Nano(image.created)),
            "Container": "",
            "DockerVersion": JSON(context.persona.version),
            "Author": "",
            "Config": [
                "Hostname": "", "User": "", "Env": JSON(image.env), "Cmd": JSON(image.cmd),
                "Image": "", "WorkingDir": "", "Entrypoint": JSON(image.entrypoint),
                "OnBuild": nil, "Labels": image.labels.isEmpty ? nil : JSON(image.labels),
            ],
            "Architecture": "amd64",
            "Os": "linux",
            "Size": JSON(image.size),
            "VirtualSize": JSON(image.size),
            "RootFS": ["Type": "layers", "Layers": [JSON("sha256:" + image.hexID)]],
        ])
    }

    /// `POST /images/{name}/tag?repo=&tag=`: moves the tag to the image.
    static func tag(_ context: RequestContext) throws -> Reply {
        let name = context.parameter("name")
        guard let repository = context.query["repo"], !repository.isEmpty else {
            throw APIError.badRequest("repository name must have at least one component")
        }
        let tag = context.query["tag"].flatMap { $0.isEmpty ? nil : $0 } ?? "latest"
        try context.state.access { try $0.tagImage(name, as: "\(repository):\(tag)") }
        return .empty(status: 201)
    }

    static func remove(_ context: RequestContext) throws -> Reply {
        let name = context.parameter("name")
        let force = context.query.flag("force")
        let report = try context.state.access { try $0.removeImage(name, force: force) }
        return .json(.array(report.map { JSON.object([JSON.Field(key: $0.0, value: JSON($0.1))]) }))
    }
}
