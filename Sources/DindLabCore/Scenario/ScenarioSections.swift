extension Scenario {
    /// The outer container: a container on the engine that runs its own Docker daemon.
    package struct Outer: Sendable, Hashable, Codable {
        /// The image, e.g. `dindlab/outer:bookworm`. Required (in the file or through the matrix).
        package var image: String
        /// Whether the container runs privileged (default true).
        package var privileged: Bool
        /// What the container sees at /sys/fs/cgroup.
        package var cgroups: Cgroups
        /// The container's network mode.
        package var network: Network
        /// Environment variables for the container.
        package var env: [String: String]
        /// Shell lines run inside the container before the daemon starts, in order.
        package var setup: [String]
        /// Whether dindlab does the docker:dind entrypoint's cgroup v2 nesting step before the
        /// setup lines (`OuterScripts.cgroupNesting`); a no-op on cgroup v1 (default false).
        package var cgroupNesting: Bool
        /// The container's cgroup parent (`/f2.slice`); nil for the engine's default.
        package var cgroupParent: String?
        /// Whether dindlab remounts the engine's /sys/fs/cgroup tmpfs read-only or read-write
        /// (with `cgroups: engine` or `private` on a cgroup v1 engine); nil leaves it as the
        /// engine made it (writable with dockerd 20.10.24 and runc 1.1.5, though not privileged).
        package var cgroupTmpfs: CgroupTmpfs?

        /// Creates outer-container settings; every parameter but the image has the file's default.
        /// - Parameters:
        ///   - image: The image.
        ///   - privileged: Whether the container runs privileged.
        ///   - cgroups: What the container sees at /sys/fs/cgroup.
        ///   - network: The network mode.
        ///   - env: Environment variables.
        ///   - setup: Shell lines run before the daemon starts.
        ///   - cgroupNesting: Whether to do the cgroup v2 nesting step before the setup lines.
        package init(
            image: String, privileged: Bool = true, cgroups: Cgroups = .bind, network: Network = .none,
            env: [String: String] = [:], setup: [String] = [], cgroupNesting: Bool = false
        ) {
            self.image = image
            self.privileged = privileged
            self.cgroups = cgroups
            self.network = network
            self.env = env
            self.setup = setup
            self.cgroupNesting = cgroupNesting
        }

        // Written by hand so manifests of runs made before `cgroupNesting` existed still read.
        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                image: try container.decode(String.self, forKey: .image),
                privileged: try container.decode(Bool.self, forKey: .privileged),
                cgroups: try container.decode(Cgroups.self, forKey: .cgroups),
                network: try container.decode(Network.self, forKey: .network),
                env: try container.decode([String: String].self, forKey: .env),
                setup: try container.decode([String].self, forKey: .setup),
                cgroupNesting: try container.decodeIfPresent(Bool.self, forKey: .cgroupNesting) ?? false)
            cgroupParent = try container.decodeIfPresent(String.self, forKey: .cgroupParent)
            cgroupTmpfs = try container.decodeIfPresent(CgroupTmpfs.self, forKey: .cgroupTmpfs)
        }

        /// What the outer container sees at /sys/fs/cgroup.
        package enum Cgroups: String, Sendable, Hashable, Codable, CaseIterable {
            /// The engine host's /sys/fs/cgroup bind-mounted read-write (what Docker does since
            /// 1.8 on cgroup v1; on a v2 engine the host's whole unified hierarchy).
            case bind
            /// An empty tmpfs (what Docker 1.7 left an inner daemon with).
            case none
            /// No cgroup mount of dindlab's: whatever the engine gives the container. On v1 a
            /// read-only tmpfs with one read-only mount per hierarchy whose root is the
            /// container's own cgroup; on v2 a read-only cgroup2 mount of its cgroup namespace.
            case engine
            /// The engine's own mounts made writable as `--privileged` would: on v1 each
            /// hierarchy's submount is remounted read-write (the tmpfs above them stays
            /// read-only), on v2 the cgroup2 mount is. dindlab does the remount inside the outer
            /// container before the setup lines.
            case `private`

            /// Whether dindlab leaves the engine's own cgroup mounts in place (no bind, no tmpfs).
            package var usesEngineMounts: Bool { self == .engine || self == .private }
        }

        /// The engine's /sys/fs/cgroup tmpfs above the hierarchies (cgroup v1).
        package enum CgroupTmpfs: String, Sendable, Hashable, Codable, CaseIterable {
            /// Remounted read-only: what runc's error about a missing
            /// `/sys/fs/cgroup/docker.service` needs.
            case readOnly = "read-only"
            /// Remounted read-write inside the outer container: runc then creates a path it
            /// computed outside every hierarchy as a plain directory on the tmpfs, silently,
            /// instead of failing (the misplacement `inner.check-placement` finds).
            case writable
        }

        private enum CodingKeys: String, CodingKey {
            case image, privileged, cgroups, network, env, setup
            case cgroupParent = "cgroup-parent"
            case cgroupTmpfs = "cgroup-tmpfs"
            case cgroupNesting = "cgroup-nesting"
        }

        /// The outer container's network mode.
        package enum Network: String, Sendable, Hashable, Codable, CaseIterable {
            /// No network at all (the default: nothing leaves the machine).
            case none
            /// The engine host's network.
            case host
            /// The engine's default bridge.
            case bridge
        }
    }

    /// The daemon inside the outer container.
    package struct Daemon: Sendable, Hashable, Codable {
        /// How the daemon is started.
        package var start: Start
        /// The daemon's command line; nil means the image's `dindlab.daemon.command` label.
        package var command: [String]?
        /// How long the daemon may take to answer (default 60s).
        @DurationCoding package var readyTimeout: Duration
        /// The hierarchies in which dindlab moves an exec-started daemon's process, from the
        /// engine's host, into a sibling cgroup of the outer container's (`docker.service`),
        /// as the engines of the field report's era did with exec'd processes; nil for none.
        package var cgroupDivergence: CgroupDivergence?
        /// The cgroup parent the inner daemon gives its containers; nil for its default.
        package var cgroupParent: InnerCgroupParent?

        /// The ready timeout when the file gives none.
        package static let defaultReadyTimeout = Duration.seconds(60)

        /// Creates daemon settings with the file's defaults unless given.
        /// - Parameters:
        ///   - start: How the daemon is started.
        ///   - command: The daemon's command line, or nil for the image's label.
        ///   - readyTimeout: How long the daemon may take to answer.
        package init(start: Start = .cmd, command: [String]? = nil, readyTimeout: Duration = Daemon.defaultReadyTimeout)
        {
            self.start = start
            self.command = command
            self.readyTimeout = readyTimeout
        }

        /// How the inner daemon is started: the field report's decisive difference.
        package enum Start: String, Sendable, Hashable, Codable, CaseIterable {
            /// The outer container's own command starts the daemon (it is born from PID 1).
            case cmd
            /// The outer container idles; an exec instance starts the daemon.
            case exec
        }

        /// The cgroup parent of the inner daemon's containers.
        package enum InnerCgroupParent: String, Sendable, Hashable, Codable, CaseIterable {
            /// The daemon's own default: no flag (absolute `/docker` for Docker >= 1.10; the
            /// relative `docker` before, which had no daemon flag to change it).
            case `default`
            /// `--cgroup-parent docker`, relative: below the daemon's own cgroup, as the Docker
            /// 1.x of the field report did by default.
            case relative

            /// The flag value `relative` stands for.
            package static let relativeValue = "docker"
        }

        private enum CodingKeys: String, CodingKey {
            case start, command
            case readyTimeout = "ready-timeout"
            case cgroupDivergence = "cgroup-divergence"
            case cgroupParent = "cgroup-parent"
        }
    }

    /// What runs on the inner daemon in each trial.
    package struct Inner: Sendable, Hashable, Codable {
        /// The inner image, shipped by the outer image as a tar (default busybox).
        package var image: String
        /// How the inner container is run.
        package var mode: Mode
        /// The inner container's command (default `sh -c "echo ok"`).
        package var command: [String]
        /// Inner runs per trial (default 1).
        package var runs: Int
        /// A regular expression the inner output must match; nil accepts any output.
        package var expectOutput: String?
        /// After the inner runs pass, run one more inner container that prints its
        /// /proc/self/cgroup and record a pass whose container did not get a cgroup of its own
        /// in some hierarchy as misplaced; nil (the default) is false.
        package var checkPlacement: Bool?

        /// The inner image when the file gives none.
        package static let defaultImage = "busybox"
        /// The inner command when the file gives none.
        package static let defaultCommand = ["sh", "-c", "echo ok"]
        /// The largest `runs` accepted.
        package static let maxRuns = 10_000

        /// Creates inner-run settings with the file's defaults unless given.
        /// - Parameters:
        ///   - image: The inner image.
        ///   - mode: How the inner container is run.
        ///   - command: Its command.
        ///   - runs: Inner runs per trial.
        ///   - expectOutput: A regular expression the output must match.
        package init(
            image: String = Inner.defaultImage, mode: Mode = .d, command: [String] = Inner.defaultCommand,
            runs: Int = 1, expectOutput: String? = nil
        ) {
            self.image = image
            self.mode = mode
            self.command = command
            self.runs = runs
            self.expectOutput = expectOutput
        }

        /// How the inner container is run.
        package enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
            /// `docker run -ti` inside an exec that has a real TTY.
            case ti
            /// `docker run -d`, then wait for it and collect its logs.
            case d
        }

        private enum CodingKeys: String, CodingKey {
            case image, mode, command, runs
            case expectOutput = "expect-output"
            case checkPlacement = "check-placement"
        }
    }

    /// What the results must show; a violation makes `dindlab run` exit 1.
    package struct Expect: Sendable, Hashable, Codable {
        /// The success rate each cell must reach, if any.
        package var successRate: SuccessRateExpectation?

        /// Creates expectations.
        /// - Parameter successRate: The success rate each cell must reach, if any.
        package init(successRate: SuccessRateExpectation? = nil) {
            self.successRate = successRate
        }

        private enum CodingKeys: String, CodingKey {
            case successRate = "success-rate"
        }
    }

    /// Faults dindlab injects, for experiments about daemons that break mid-run (the field
    /// report's "a crashed daemon leaves mounts behind, later runs fail").
    package struct Faults: Sendable, Hashable, Codable {
        /// SIGKILL the inner daemon while the inner run of the cell's N-th trial (1-based) is in
        /// flight; 0, the default, injects nothing.
        package var killDaemonAtTrial: Int
        /// How long after that inner run starts the daemon is killed.
        @DurationCoding package var killAfter: Duration
        /// Start the daemon again after the kill, with the same command, so later trials of
        /// the cell (with `isolation: cell`) meet what the dead daemon left behind.
        package var restartDaemon: Bool

        /// The delay of the kill when the file gives none.
        package static let defaultKillAfter = Duration.milliseconds(300)

        /// Creates faults; the defaults inject nothing.
        /// - Parameters:
        ///   - killDaemonAtTrial: The trial of the cell (1-based) whose inner run sees the kill; 0 for none.
        ///   - killAfter: Delay after the inner run starts.
        ///   - restartDaemon: Start the daemon again afterwards.
        package init(
            killDaemonAtTrial: Int = 0, killAfter: Duration = Faults.defaultKillAfter, restartDaemon: Bool = true
        ) {
            self.killDaemonAtTrial = killDaemonAtTrial
            self.killAfter = killAfter
            self.restartDaemon = restartDaemon
        }

        private enum CodingKeys: String, CodingKey {
            case killDaemonAtTrial = "kill-daemon-at-trial"
            case killAfter = "kill-after"
            case restartDaemon = "restart-daemon"
        }
    }
}
