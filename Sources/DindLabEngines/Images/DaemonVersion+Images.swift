package import DockerEngine

/// What outer images need to know about a Docker release beyond its start command: the Engine
/// API version it serves, and its version as a label shows it. The API table lives here and
/// only here.
extension DaemonVersion {
    /// Release line (major, minor) -> highest Engine API version it serves, oldest first.
    /// Lines missing here (17.08, 18.01, ...) never shipped as stable releases.
    static let apiVersionTable: [(line: (Int, Int), api: APIVersion)] = [
        ((1, 7), APIVersion(1, 19)), ((1, 8), APIVersion(1, 20)), ((1, 9), APIVersion(1, 21)),
        ((1, 10), APIVersion(1, 22)), ((1, 11), APIVersion(1, 23)), ((1, 12), APIVersion(1, 24)),
        ((1, 13), APIVersion(1, 25)), ((17, 3), APIVersion(1, 26)), ((17, 4), APIVersion(1, 27)),
        ((17, 5), APIVersion(1, 29)), ((17, 6), APIVersion(1, 30)), ((17, 7), APIVersion(1, 31)),
        ((17, 9), APIVersion(1, 32)), ((17, 10), APIVersion(1, 33)), ((17, 11), APIVersion(1, 34)),
        ((17, 12), APIVersion(1, 35)), ((18, 2), APIVersion(1, 36)), ((18, 3), APIVersion(1, 37)),
        ((18, 6), APIVersion(1, 38)), ((18, 9), APIVersion(1, 39)), ((19, 3), APIVersion(1, 40)),
        ((20, 10), APIVersion(1, 41)), ((23, 0), APIVersion(1, 42)), ((24, 0), APIVersion(1, 43)),
        ((25, 0), APIVersion(1, 44)), ((26, 0), APIVersion(1, 45)), ((26, 1), APIVersion(1, 45)),
        ((27, 0), APIVersion(1, 46)), ((27, 1), APIVersion(1, 46)), ((27, 2), APIVersion(1, 47)),
        ((27, 3), APIVersion(1, 47)), ((27, 4), APIVersion(1, 47)), ((27, 5), APIVersion(1, 47)),
        ((28, 0), APIVersion(1, 48)), ((28, 1), APIVersion(1, 49)), ((28, 2), APIVersion(1, 50)),
        ((28, 3), APIVersion(1, 51)), ((28, 4), APIVersion(1, 51)), ((28, 5), APIVersion(1, 51)),
    ]

    /// The Engine API version a daemon of this version serves.
    ///
    /// A release line newer than the table gets the newest API version the table knows, which
    /// that daemon still serves (daemons keep serving older API versions).
    ///
    /// - Returns: The API version, or `nil` before Docker 1.7 (API 1.19), which dindlab does
    ///   not drive.
    package var apiVersion: APIVersion? {
        let line = (major, minor)
        return Self.apiVersionTable.last { $0.line <= line }?.api
    }

    /// The version without a distribution's packaging suffix, as image labels show it:
    /// `20.10.24` for Debian's `20.10.24+dfsg1`; Docker's own suffixes (`17.03.2-ce`) stay.
    package var releaseText: String {
        text.split(separator: "+", maxSplits: 1).first.map(String.init) ?? text
    }
}

extension DaemonEra {
    /// The command that starts a daemon of this era from the binaries on PATH, without flags:
    /// `docker -d`, `docker daemon` or `dockerd`.
    package var daemonCommand: [String] {
        switch self {
        case .dockerDashD, .dockerDaemon: ["docker"] + daemonArguments
        case .dockerd: ["dockerd"]
        }
    }
}
