import DindLabCore
package import DockerEngine
package import Foundation

/// What identifies one running daemon behind an address: a daemon that restarts, or another
/// daemon started on the same socket, has another identity.
///
/// Only engines on a local Unix socket have one: a daemon creates its socket anew each time it
/// starts, so the socket's inode and change time (to the nanosecond) tell one daemon start
/// from the next. Remote (tcp://) engines have none, and their facts are learnt anew by every
/// run.
package struct EngineInstance: Codable, Sendable, Hashable {
    /// The socket path.
    package var socket: String
    /// The socket's inode number.
    package var inode: UInt64
    /// The socket's status change time, nanoseconds since 1970.
    package var changeTimeNanoseconds: Int64

    /// The instance behind a Unix socket, or nil when the address is not a local socket or the
    /// socket cannot be looked at.
    ///
    /// - Parameter address: The engine's address.
    package init?(address: EngineAddress) {
        guard case .unix(let path) = address.endpoint else { return nil }
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        socket = path
        inode = UInt64(status.st_ino)
        changeTimeNanoseconds = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
    }
}

/// What dindlab learnt about a running daemon by probing it, kept between runs so a run on an
/// engine it has seen before starts its first trial at once.
///
/// One file per socket in `$XDG_CACHE_HOME/dindlab/engines` (else `~/.cache/dindlab/engines`),
/// holding the instance it was learnt from: a daemon that restarted has another instance, so
/// its facts are learnt again and the file replaced. Nothing stale is ever served: facts are
/// returned only for the very instance they were learnt from.
package struct EngineFactsCache: Sendable {
    /// The cached facts of one daemon instance.
    package struct Entry: Codable, Sendable, Equatable {
        package var instance: EngineInstance
        /// What the privilege probe found.
        package var privilege: PrivilegeSupport
        /// When the probe ran.
        package var learntAt: Date
    }

    /// The folder that holds the entries.
    package let folder: URL

    /// - Parameter folder: The cache folder; created on first store.
    package init(folder: URL) {
        self.folder = folder
    }

    /// The default folder from the environment, beside the image cache.
    package static func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        ImageCache.defaultRoot(environment: environment).deletingLastPathComponent().appendingPathComponent("engines")
    }

    /// The privilege facts learnt from exactly this instance, if any.
    package func privilege(of instance: EngineInstance) -> PrivilegeSupport? {
        guard let data = FileManager.default.contents(atPath: file(for: instance).path),
            let entry = try? Self.decoder().decode(Entry.self, from: data),
            entry.instance == instance
        else { return nil }
        return entry.privilege
    }

    /// Keeps what a probe of `instance` found, replacing the facts of an earlier instance on
    /// the same socket. A probe that could not tell (`probeError`) is not kept: the next run
    /// asks again. Best effort: a cache that cannot be written costs only time.
    package func store(_ privilege: PrivilegeSupport, of instance: EngineInstance) {
        guard privilege.probeError == nil else { return }
        let entry = Entry(instance: instance, privilege: privilege, learntAt: Date())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(entry) else { return }
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = file(for: instance)
        let partial = target.deletingLastPathComponent().appendingPathComponent(
            "\(target.lastPathComponent).partial-\(getpid())")
        guard (try? data.write(to: partial)) != nil else { return }
        if rename(partial.path, target.path) != 0 { try? FileManager.default.removeItem(at: partial) }
    }

    /// One file per socket path, named by its digest.
    func file(for instance: EngineInstance) -> URL {
        folder.appendingPathComponent(SHA256.hexDigest(of: Data(instance.socket.utf8)).prefix(32) + ".json")
    }

    private static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
