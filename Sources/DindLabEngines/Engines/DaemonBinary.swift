import Foundation

/// A Docker daemon binary of any era and the version it reports.
package struct DaemonBinary: Sendable, Hashable, Codable {
    /// The absolute path of the binary that runs the daemon (`dockerd`, or `docker` before 1.12).
    package let path: String
    /// The version the binary reports.
    package let version: DaemonVersion
    /// How this binary is started as a daemon.
    package var era: DaemonEra { version.era }

    /// Creates a binary description without looking at the file (for tests and known binaries).
    ///
    /// - Parameters:
    ///   - path: The binary's path.
    ///   - version: Its version.
    package init(path: String, version: DaemonVersion) {
        self.path = path
        self.version = version
    }

    /// Looks at a daemon binary the user named: reads its version and, for a `docker` binary of
    /// 1.12 or later (whose daemon is a separate program), switches to the `dockerd` beside it.
    ///
    /// - Parameters:
    ///   - path: A path, or a bare name looked up on PATH.
    ///   - environment: The environment whose PATH is searched for bare names.
    /// - Returns: The binary that runs the daemon, with its version.
    /// - Throws: `PrivateEngineError` with `.binaryNotUsable`, `.versionUnreadable` or `.dockerdMissing`.
    package static func inspect(_ path: String, environment: [String: String]) throws -> DaemonBinary {
        guard let resolved = ExecutableSearch.resolve(path, environment: environment) else {
            throw PrivateEngineError(
                .binaryNotUsable,
                "The daemon binary \(path) does not exist or is not executable.",
                remedy: .binary("the path of a Docker daemon binary (dockerd, or docker before 1.12)")
            )
        }
        let version = try readVersion(of: resolved)
        let binary = DaemonBinary(path: resolved, version: version)
        let name = (resolved as NSString).lastPathComponent
        guard binary.era == .dockerd, !name.hasPrefix("dockerd") else { return binary }

        // From 1.12 on, `docker` is only the client; the daemon ships beside it as `dockerd`.
        let beside = ((resolved as NSString).deletingLastPathComponent as NSString).appendingPathComponent("dockerd")
        guard ExecutableSearch.isExecutable(beside) else {
            throw PrivateEngineError(
                .dockerdMissing,
                "\(resolved) is Docker \(version), whose daemon is a separate binary, but there is no executable dockerd beside it (\(beside)).",
                remedy: .binary("the dockerd of that release")
            )
        }
        return DaemonBinary(path: beside, version: try readVersion(of: beside))
    }

    /// The `dockerd` found on PATH (or in the usual sbin directories, which a user's PATH may lack).
    ///
    /// - Parameter environment: The environment whose PATH is searched.
    /// - Returns: The default daemon binary with its version.
    /// - Throws: `PrivateEngineError` (`.daemonNotFound`) when there is no dockerd, saying how to install it.
    package static func defaultDaemon(environment: [String: String]) throws -> DaemonBinary {
        try defaultDaemon(environment: environment, fallbackDirectories: ExecutableSearch.fallbackDirectories)
    }

    static func defaultDaemon(environment: [String: String], fallbackDirectories: [String]) throws -> DaemonBinary {
        guard
            ExecutableSearch.resolve("dockerd", environment: environment, fallbackDirectories: fallbackDirectories)
                != nil
        else {
            let searched = ExecutableSearch.directories(
                environment: environment, fallbackDirectories: fallbackDirectories
            )
            .joined(separator: ":")
            throw PrivateEngineError(
                .daemonNotFound,
                "dockerd was not found on PATH (\(searched)).",
                remedy: .installOrBinary(package: "docker.io")
            )
        }
        return try inspect(
            "dockerd",
            environment: environment.merging(
                [
                    "PATH": ExecutableSearch.directories(
                        environment: environment, fallbackDirectories: fallbackDirectories
                    ).joined(separator: ":")
                ],
                uniquingKeysWith: { $1 }))
    }

    /// Runs `PATH --version`, falling back to `PATH -v` (some old releases only know one of them),
    /// and parses the version from what it prints.
    ///
    /// - Parameter path: The binary's absolute path.
    /// - Returns: The version the binary reports.
    /// - Throws: `PrivateEngineError` (`.versionUnreadable`) with what the binary printed.
    package static func readVersion(of path: String) throws -> DaemonVersion {
        var outputs: [String] = []
        for flag in ["--version", "-v"] {
            let result = ShortCommand.run(path, [flag], timeout: .seconds(10))
            if result.exitStatus == 0, let version = DaemonVersion(versionOutput: result.output) {
                return version
            }
            outputs.append("`\(path) \(flag)` \(result.summary)")
        }
        throw PrivateEngineError(
            .versionUnreadable,
            "Could not read a Docker version from \(path): " + outputs.joined(separator: "; ")
                + ". A Docker daemon binary prints e.g. \"Docker version 1.7.1, build 786b29d\"."
        )
    }
}

/// Finds executables the way a shell does, plus the sbin directories where Debian puts dockerd.
enum ExecutableSearch {
    static let fallbackDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    static func directories(environment: [String: String], fallbackDirectories: [String] = fallbackDirectories)
        -> [String]
    {
        var result: [String] = []
        for directory in (environment["PATH"] ?? "").split(separator: ":").map(String.init) + fallbackDirectories
        where !directory.isEmpty && !result.contains(directory) {
            result.append(directory)
        }
        return result
    }

    /// The absolute path of `name`: itself when it contains a slash, else the first match on PATH.
    static func resolve(
        _ name: String, environment: [String: String], fallbackDirectories: [String] = fallbackDirectories
    ) -> String? {
        if name.contains("/") {
            let absolute =
                name.hasPrefix("/")
                ? name : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(name)
            let standardized = (absolute as NSString).standardizingPath
            return isExecutable(standardized) ? standardized : nil
        }
        for directory in directories(environment: environment, fallbackDirectories: fallbackDirectories) {
            let candidate = (directory as NSString).appendingPathComponent(name)
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }

    static func isExecutable(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            && !isDirectory.boolValue && access(path, X_OK) == 0
    }
}
