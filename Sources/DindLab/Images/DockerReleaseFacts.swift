/// What dindlab knows about Docker releases: the Engine API version each one serves and the
/// command that starts its daemon. This is the one place these facts live.
public enum DockerReleaseFacts {
    /// Release line (major, minor) -> highest Engine API version it serves, oldest first.
    /// Release lines missing here (17.08, 18.01, ...) never shipped as stable releases.
    static let apiVersions: [(line: (Int, Int), api: String)] = [
        ((1, 7), "1.19"), ((1, 8), "1.20"), ((1, 9), "1.21"), ((1, 10), "1.22"),
        ((1, 11), "1.23"), ((1, 12), "1.24"), ((1, 13), "1.25"),
        ((17, 3), "1.26"), ((17, 4), "1.27"), ((17, 5), "1.29"), ((17, 6), "1.30"),
        ((17, 7), "1.31"), ((17, 9), "1.32"), ((17, 10), "1.33"), ((17, 11), "1.34"),
        ((17, 12), "1.35"), ((18, 2), "1.36"), ((18, 3), "1.37"), ((18, 6), "1.38"),
        ((18, 9), "1.39"), ((19, 3), "1.40"), ((20, 10), "1.41"), ((23, 0), "1.42"),
        ((24, 0), "1.43"), ((25, 0), "1.44"), ((26, 0), "1.45"), ((26, 1), "1.45"),
        ((27, 0), "1.46"), ((27, 1), "1.46"), ((27, 2), "1.47"), ((27, 3), "1.47"),
        ((27, 4), "1.47"), ((27, 5), "1.47"), ((28, 0), "1.48"), ((28, 1), "1.49"),
        ((28, 2), "1.50"), ((28, 3), "1.51"), ((28, 4), "1.51"), ((28, 5), "1.51"),
    ]

    /// The Engine API version a Docker release serves.
    ///
    /// A release line newer than the table gets the newest API version the table knows,
    /// which that daemon still serves (daemons keep serving older API versions).
    ///
    /// - Parameter version: The Docker version.
    /// - Returns: The API version (`1.41`), or `nil` for releases before 1.7 (API < 1.19),
    ///   which dindlab does not drive.
    public static func apiVersion(for version: DockerVersion) -> String? {
        let line = (version.major, version.minor)
        return apiVersions.last { $0.line <= line }?.api
    }

    /// The command that starts the daemon of a Docker release, by era:
    /// `docker -d` up to 1.7, `docker daemon` from 1.8 to 1.11, `dockerd` from 1.12.
    ///
    /// - Parameter version: The Docker version.
    /// - Returns: The command as an argument vector, without flags.
    public static func daemonCommand(for version: DockerVersion) -> [String] {
        if version < DockerVersion(1, 8) { return ["docker", "-d"] }
        if version < DockerVersion(1, 12) { return ["docker", "daemon"] }
        return ["dockerd"]
    }

    /// Whether a release ships its daemon as a separate `dockerd` binary (1.12 and later).
    public static func hasSeparateDaemonBinary(_ version: DockerVersion) -> Bool {
        version >= DockerVersion(1, 12)
    }
}
