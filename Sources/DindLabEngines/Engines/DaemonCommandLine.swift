/// What a private daemon is asked to do, independent of the flags its era spells it with.
package struct DaemonSettings: Sendable, Hashable {
    /// The unix socket the API listens on.
    package var socket: String
    /// Images, containers, volumes (`--data-root`, `--graph` before 17.05).
    package var dataRoot: String
    /// Runtime state (`--exec-root`); daemons before 1.7 keep it in /var/run/docker.
    package var execRoot: String
    /// The daemon's pid file (`--pidfile`).
    package var pidFile: String
    /// `--debug`: debug-level daemon log.
    package var debug: Bool
    /// `--log-format` (text or json) for the daemon's own log; 25.0 and later.
    package var logFormat: String?
    /// `--storage-driver`, passed through (overlay2, vfs, devicemapper, ...).
    package var storageDriver: String?
    /// `--exec-opt native.cgroupdriver=...` (cgroupfs or systemd); 1.7 and later.
    package var cgroupDriver: String?
    /// `--cgroup-parent`, the default parent cgroup of containers; 1.10 and later.
    package var cgroupParent: String?
    /// Further daemon arguments, appended as given.
    package var extraArguments: [String]

    /// Creates daemon settings.
    ///
    /// - Parameters:
    ///   - socket: The unix socket path.
    ///   - dataRoot: The data root.
    ///   - execRoot: The exec root.
    ///   - pidFile: The pid file.
    ///   - debug: Whether to log at debug level.
    ///   - logFormat: The daemon log format, or nil for the daemon's default.
    ///   - storageDriver: The storage driver, or nil for the daemon's choice.
    ///   - cgroupDriver: The cgroup driver, or nil for the daemon's default.
    ///   - cgroupParent: The containers' default parent cgroup, or nil for the daemon's default.
    ///   - extraArguments: Arguments appended after everything else.
    package init(
        socket: String, dataRoot: String, execRoot: String, pidFile: String,
        debug: Bool = false, logFormat: String? = nil, storageDriver: String? = nil,
        cgroupDriver: String? = nil, cgroupParent: String? = nil, extraArguments: [String] = []
    ) {
        self.socket = socket
        self.dataRoot = dataRoot
        self.execRoot = execRoot
        self.pidFile = pidFile
        self.debug = debug
        self.logFormat = logFormat
        self.storageDriver = storageDriver
        self.cgroupDriver = cgroupDriver
        self.cgroupParent = cgroupParent
        self.extraArguments = extraArguments
    }
}

/// Builds a daemon's command line the way its era expects it.
package enum DaemonCommandLine {
    /// Networking that must never reach the host: no bridge, no iptables rules, no forwarding,
    /// no masquerading. Every era has these four flags.
    package static let networkingOff = ["--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false"]

    /// The full argv (binary first) that starts `binary` as a daemon with `settings`.
    ///
    /// - Parameters:
    ///   - binary: The daemon binary and its version.
    ///   - settings: Paths and options for the daemon.
    /// - Returns: The argv, e.g. `["/opt/docker-1.7.1", "-d", "-H", "unix:///e/docker.sock", "--graph", ...]`.
    /// - Throws: `PrivateEngineError` (`.optionUnsupported`) when a setting asks for an option the
    ///   version lacks (`--log-format` before 25.0, `--cgroup-parent` before 1.10, ...).
    package static func arguments(for binary: DaemonBinary, settings: DaemonSettings) throws -> [String] {
        let version = binary.version
        var argv = [binary.path] + binary.era.daemonArguments
        argv += ["-H", "unix://" + settings.socket]
        argv += [version.supports(.dataRoot) ? "--data-root" : "--graph", settings.dataRoot]
        if version.supports(.execRoot) {
            argv += ["--exec-root", settings.execRoot]
        }
        argv += ["--pidfile", settings.pidFile]
        argv += networkingOff
        if version.supports(.ip6tables) {
            argv.append("--ip6tables=false")
        }
        if settings.debug {
            argv.append("--debug")
        }
        if let format = settings.logFormat {
            try require(.logFormat, of: binary, for: "a log format (\(format))")
            argv += ["--log-format", format]
        }
        if let driver = settings.storageDriver {
            argv += ["--storage-driver", driver]
        }
        if let driver = settings.cgroupDriver {
            try require(.execOpt, of: binary, for: "a cgroup driver (\(driver))")
            argv += ["--exec-opt", "native.cgroupdriver=" + driver]
        }
        if let parent = settings.cgroupParent {
            try require(.cgroupParent, of: binary, for: "a default cgroup parent (\(parent))")
            argv += ["--cgroup-parent", parent]
        }
        return argv + settings.extraArguments
    }

    private static func require(_ option: DaemonOption, of binary: DaemonBinary, for purpose: String) throws {
        guard !binary.version.supports(option) else { return }
        throw PrivateEngineError(
            .optionUnsupported,
            "Docker \(binary.version) (\(binary.path)) has no \(option) daemon option, which was added in "
                + "\(option.introducedIn.major).\(option.introducedIn.minor); drop \(purpose) or use a newer daemon."
        )
    }
}
