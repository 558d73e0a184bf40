import Foundation

/// Where a private engine keeps everything: one directory per engine, nothing outside it.
///
///     DIR/docker.sock   the API socket (DOCKER_HOST=unix://DIR/docker.sock)
///     DIR/data/         data root (images, containers)
///     DIR/exec/         exec root (runtime state, containerd's sockets)
///     DIR/docker.pid    the daemon's pid file
///     DIR/daemon.log    the daemon's stdout and stderr; kept after `down`
///     DIR/engine.json   what `up` started (EngineRecord)
///     DIR/start.sh      the launcher that isolates the daemon (see NamespaceLauncher)
///     DIR/ns/           mount point of the engine's private scratch tmpfs, only visible inside
///                       its mount namespace; it also marks the engine's processes
package struct EngineLayout: Sendable, Hashable {
    /// The engine directory, absolute.
    package let directory: String

    /// The layout of the engine in `directory`.
    ///
    /// - Parameter directory: An absolute path; `.` and `..` are resolved.
    package init(directory: String) {
        self.directory = (directory as NSString).standardizingPath
    }

    package var socket: String { path("docker.sock") }
    package var dataRoot: String { path("data") }
    package var execRoot: String { path("exec") }
    package var pidFile: String { path("docker.pid") }
    package var logFile: String { path("daemon.log") }
    package var recordFile: String { path("engine.json") }
    package var launchScript: String { path("start.sh") }
    package var namespaceScratch: String { path("ns") }

    /// The address clients use: `unix://DIR/docker.sock`.
    package var dockerHost: String { "unix://" + socket }

    private func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    // MARK: Named engines

    /// The folder that holds named engines: `$XDG_STATE_HOME/dindlab/engines`, or
    /// `~/.local/state/dindlab/engines` when XDG_STATE_HOME is unset or not absolute.
    ///
    /// - Parameter environment: The environment to read XDG_STATE_HOME and HOME from.
    /// - Returns: The absolute path of the engines folder.
    package static func enginesRoot(environment: [String: String]) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return (state as NSString).appendingPathComponent("dindlab/engines")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".local/state/dindlab/engines")
    }

    /// The layout of the engine called `name` in the engines folder.
    ///
    /// - Parameters:
    ///   - name: The engine's name (see `validateName`).
    ///   - environment: The environment that locates the engines folder.
    /// - Returns: The engine's layout.
    /// - Throws: `PrivateEngineError` (`.invalidName`) for names that are not plain directory names.
    package static func named(_ name: String, environment: [String: String]) throws -> EngineLayout {
        try validateName(name)
        return EngineLayout(directory: (enginesRoot(environment: environment) as NSString).appendingPathComponent(name))
    }

    /// Checks that a name can be a directory name and a matrix value: 1 to 64 characters of
    /// letters, digits, `.`, `_` and `-`, starting with a letter or digit ("v17", "20.10.5", "modern").
    ///
    /// - Parameter name: The engine name.
    /// - Throws: `PrivateEngineError` (`.invalidName`).
    package static func validateName(_ name: String) throws {
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        guard allowed, (1...64).contains(name.count), let first = name.first, first.isLetter || first.isNumber else {
            throw PrivateEngineError(
                .invalidName,
                "\"\(name)\" is not a usable engine name: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. v17, modern)."
            )
        }
    }

    // MARK: Unix socket paths

    /// The kernel's limit for a unix socket path: sockaddr_un.sun_path is 108 bytes with the
    /// terminating NUL, so 107 bytes of path.
    package static let maximumSocketPathBytes = 107

    /// Unix sockets the daemon and the containerd it starts create under DIR, across eras
    /// (1.11–17.03 libcontainerd, 17.06–18.06 docker-containerd, 18.09+ containerd with ttrpc).
    /// All are checked, so a directory that works for one daemon works for every other.
    static let socketSuffixes = [
        "docker.sock",
        "exec/libcontainerd/docker-containerd.sock",
        "exec/containerd/docker-containerd-debug.sock",
        "exec/containerd/containerd.sock.ttrpc",
        "exec/containerd/containerd-debug.sock",
    ]

    /// Checks that every unix socket the engine will create fits the kernel's 108-byte limit,
    /// so an overlong directory fails here, clearly, instead of deep inside containerd.
    ///
    /// - Throws: `PrivateEngineError` (`.socketPathTooLong`) naming the longest path and the limit.
    package func validateSocketPaths() throws {
        let paths = Self.socketSuffixes.map(path)
        guard let longest = paths.max(by: { $0.utf8.count < $1.utf8.count }),
            longest.utf8.count > Self.maximumSocketPathBytes
        else { return }
        let budget = Self.maximumSocketPathBytes - (longest.utf8.count - directory.utf8.count)
        throw PrivateEngineError(
            .socketPathTooLong,
            "The engine directory \(directory) is too long for unix sockets: \(longest) is \(longest.utf8.count) bytes, "
                + "but a socket path may have at most \(Self.maximumSocketPathBytes) (sun_path is 108 bytes).",
            remedy: .directory("a directory of at most \(budget) bytes, e.g. under /tmp")
        )
    }
}
