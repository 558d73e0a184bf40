import Foundation

/// `/containers/{id}/archive` (Docker 1.8 and later): PUT extracts a tar into a directory of
/// the container, GET returns a tar of a path with its stat in X-Docker-Container-Path-Stat,
/// HEAD returns only the stat.
enum ArchiveRoutes {
    static let routes: [Route] = [
        Route("PUT", "/containers/{id}/archive", since: .archiveEndpoint, put),
        Route("GET", "/containers/{id}/archive", since: .archiveEndpoint, get),
        Route("HEAD", "/containers/{id}/archive", since: .archiveEndpoint, get),
    ]

    static func put(_ context: RequestContext) throws -> Reply {
        let path = try requiredPath(context)
        let archive = try context.body.readAll()
        try context.state.access { try $0.extract(archive: archive, into: path, container: context.parameter("id")) }
        return .empty(status: 200)
    }

    static func get(_ context: RequestContext) throws -> Reply {
        let path = try requiredPath(context)
        let (stat, entries) = try context.state.access {
            try $0.archiveEntries(at: path, container: context.parameter("id"))
        }
        let headers = [("Content-Type", "application/x-tar"), ("X-Docker-Container-Path-Stat", pathStat(stat))]
        return .bytes(context.request.method == "HEAD" ? Data() : TarWriter.archive(entries), headers: headers)
    }

    private static func requiredPath(_ context: RequestContext) throws -> String {
        guard let path = context.query["path"], !path.isEmpty else {
            throw APIError.badRequest("bad parameter: path cannot be empty")
        }
        return path
    }

    /// Base64 of the JSON stat, with Go's os.FileMode bits for directories and symlinks.
    private static func pathStat(_ entry: TarEntry) -> String {
        var mode = entry.mode & 0o7777
        var linkTarget = ""
        switch entry.kind {
        case .directory: mode |= 1 << 31
        case .symlink(let target):
            mode |= 1 << 27
            linkTarget = target
        case .file, .other: break
        }
        let stat: JSON = [
            "name": JSON(entry.name),
            "size": JSON(entry.contents?.count ?? entry.size),
            "mode": JSON(mode),
            "mtime": JSON(DockerTime.rfc3339Nano(entry.modified)),
            "linkTarget": JSON(linkTarget),
        ]
        return Data(stat.text.utf8).base64EncodedString()
    }
}
