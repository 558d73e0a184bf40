/// How a Docker daemon binary of a given version is started: Docker moved its daemon
/// from a flag (`docker -d`) to a subcommand (`docker daemon`) to its own binary (`dockerd`).
package enum DaemonEra: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Up to 1.7: the daemon is the `docker` binary with the `-d` flag.
    case dockerDashD = "docker -d"
    /// 1.8 to 1.11: the daemon is the `docker daemon` subcommand.
    case dockerDaemon = "docker daemon"
    /// 1.12 and later: the daemon is its own binary, `dockerd`.
    case dockerd

    /// The era a daemon of this version belongs to.
    ///
    /// - Parameter version: The version the binary reports.
    package init(version: DaemonVersion) {
        if version < DaemonVersion(1, 8) {
            self = .dockerDashD
        } else if version < DaemonVersion(1, 12) {
            self = .dockerDaemon
        } else {
            self = .dockerd
        }
    }

    /// The arguments that come right after the binary to make it a daemon.
    package var daemonArguments: [String] {
        switch self {
        case .dockerDashD: ["-d"]
        case .dockerDaemon: ["daemon"]
        case .dockerd: []
        }
    }

    package var description: String { rawValue }
}

/// Daemon options that exist only from some version on. Everything dindlab passes that is not
/// listed here (`-H`, `--pidfile`, `--bridge`, `--iptables`, `--ip-forward`, `--ip-masq`,
/// `--storage-driver`, `--debug`, `--graph`) exists in every version dindlab starts.
package enum DaemonOption: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `--exec-root`: in `docker -d --help` of 1.7 ("Root of the Docker execdriver"), absent in 1.6.
    case execRoot = "--exec-root"
    /// `--exec-opt` (for `native.cgroupdriver=...`): added with `--exec-root` in 1.7.
    case execOpt = "--exec-opt"
    /// `--cgroup-parent` as a daemon option (a default for all containers): 1.10
    /// (moby/moby#18379); `docker run --cgroup-parent` is older, but that is not a daemon option.
    case cgroupParent = "--cgroup-parent"
    /// `--data-root` replaced `--graph`/`-g` in 17.05.
    case dataRoot = "--data-root"
    /// `--ip6tables`: 20.10.
    case ip6tables = "--ip6tables"
    /// `--log-format` (the daemon's own log as text or JSON): 25.0 (moby/moby#45737).
    case logFormat = "--log-format"

    /// The first version whose daemon accepts the option.
    package var introducedIn: DaemonVersion {
        switch self {
        case .execRoot, .execOpt: DaemonVersion(1, 7)
        case .cgroupParent: DaemonVersion(1, 10)
        case .dataRoot: DaemonVersion(17, 5)
        case .ip6tables: DaemonVersion(20, 10)
        case .logFormat: DaemonVersion(25, 0)
        }
    }

    package var description: String { rawValue }
}

extension DaemonVersion {
    /// Whether a daemon of this version accepts the option.
    ///
    /// - Parameter option: A daemon option that exists only from some version on.
    /// - Returns: True from the version that introduced the option.
    package func supports(_ option: DaemonOption) -> Bool {
        self >= option.introducedIn
    }

    /// The era (start command) of a daemon of this version.
    package var era: DaemonEra { DaemonEra(version: self) }
}
