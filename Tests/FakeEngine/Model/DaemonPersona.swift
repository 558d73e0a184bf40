/// The Docker daemon a `FakeEngine` pretends to be: its version, the API versions it accepts,
/// and what it reports about its host. The API version decides the behaviour that changed
/// across Docker releases (see `DaemonFeature`).
package struct DaemonPersona: Sendable, Hashable, CustomStringConvertible {
    /// The daemon's release, e.g. "26.1.5".
    package var version: String
    /// The highest (and default) API version the daemon speaks, e.g. "1.45".
    package var apiVersion: String
    /// The lowest API version the daemon accepts, e.g. "1.24".
    package var minAPIVersion: String
    package var gitCommit: String
    package var goVersion: String
    package var kernelVersion: String
    /// What `GET /info` calls OperatingSystem, e.g. "Debian GNU/Linux 12 (bookworm)".
    package var operatingSystem: String
    /// The storage driver, e.g. "overlay2" or "devicemapper".
    package var storageDriver: String
    /// "cgroupfs" or "systemd".
    package var cgroupDriver: String
    /// "1" or "2"; only reported by daemons with API 1.40 or later.
    package var cgroupVersion: String
    /// What `GET /info` lists as SecurityOptions (daemons with API 1.24 or later).
    package var securityOptions: [String]
    /// The capability names the daemon knows (without CAP_), nil for every capability of
    /// Linux 6.x. Docker 1.7-1.9 knew none after AUDIT_READ.
    package var knownCapabilities: Set<String>?
    /// The daemon fails every create whose body has a HostConfig, and takes it with start:
    /// Docker 1.7.1 built with Go 1.10 or later ("json: cannot set embedded pointer to
    /// unexported struct: runconfig.hostConfigWrapper").
    package var refusesHostConfigAtCreate = false

    /// Creates a persona; the versions must be dotted numbers such as "1.41".
    package init(
        version: String,
        apiVersion: String,
        minAPIVersion: String,
        gitCommit: String = "0000000",
        goVersion: String = "go1.21.13",
        kernelVersion: String = "6.1.0-18-amd64",
        operatingSystem: String = "Debian GNU/Linux 12 (bookworm)",
        storageDriver: String = "overlay2",
        cgroupDriver: String = "cgroupfs",
        cgroupVersion: String = "1",
        securityOptions: [String] = [],
        knownCapabilities: Set<String>? = nil
    ) {
        self.version = version
        self.apiVersion = apiVersion
        self.minAPIVersion = minAPIVersion
        self.gitCommit = gitCommit
        self.goVersion = goVersion
        self.kernelVersion = kernelVersion
        self.operatingSystem = operatingSystem
        self.storageDriver = storageDriver
        self.cgroupDriver = cgroupDriver
        self.cgroupVersion = cgroupVersion
        self.securityOptions = securityOptions
        self.knownCapabilities = knownCapabilities
    }

    /// The capabilities Docker 1.7-1.9 knew (libcontainer's list of 2015): up to AUDIT_READ.
    package static let legacyCapabilities: Set<String> = [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
        "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
        "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
        "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
        "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
        "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
    ]

    /// Docker 1.7.1 on CentOS 7: the era of the field report (no cgroup bind mounts).
    package static let docker1dot7 = DaemonPersona(
        version: "1.7.1", apiVersion: "1.19", minAPIVersion: "1.12",
        gitCommit: "786b29d", goVersion: "go1.4.2",
        kernelVersion: "3.10.0-229.el7.x86_64", operatingSystem: "CentOS Linux 7 (Core)",
        storageDriver: "devicemapper", knownCapabilities: legacyCapabilities)

    /// Docker 1.7.1 built from its source tag with today's Go (as old releases are rebuilt
    /// now that their binaries are no longer published): it cannot decode a HostConfig at
    /// create, and takes it with start.
    package static let docker1dot7BuiltWithModernGo: DaemonPersona = {
        var persona = DaemonPersona(
            version: "1.7.1", apiVersion: "1.19", minAPIVersion: "1.12",
            gitCommit: "786b29d", goVersion: "go1.19.8", operatingSystem: "Debian GNU/Linux 12 (bookworm)",
            storageDriver: "overlay", knownCapabilities: legacyCapabilities)
        persona.refusesHostConfigAtCreate = true
        return persona
    }()

    /// Docker 1.8.3 on CentOS 7: the first release that bind-mounts the cgroups.
    package static let docker1dot8 = DaemonPersona(
        version: "1.8.3", apiVersion: "1.20", minAPIVersion: "1.12",
        gitCommit: "f4bf5c7", goVersion: "go1.4.2",
        kernelVersion: "3.10.0-229.el7.x86_64", operatingSystem: "CentOS Linux 7 (Core)",
        storageDriver: "devicemapper", knownCapabilities: legacyCapabilities)

    /// Docker 1.9.1 on CentOS 7.
    package static let docker1dot9 = DaemonPersona(
        version: "1.9.1", apiVersion: "1.21", minAPIVersion: "1.12",
        gitCommit: "a34a1d5", goVersion: "go1.4.3",
        kernelVersion: "3.10.0-327.el7.x86_64", operatingSystem: "CentOS Linux 7 (Core)",
        storageDriver: "devicemapper", knownCapabilities: legacyCapabilities)

    /// The personas of the field report's era, oldest first.
    package static let oldEra: [DaemonPersona] = [
        .docker1dot7, .docker1dot7BuiltWithModernGo, .docker1dot8, .docker1dot9,
    ]

    /// Docker 20.10.24 as Debian bookworm ships it, on cgroup v1.
    package static let docker20dot10 = DaemonPersona(
        version: "20.10.24", apiVersion: "1.41", minAPIVersion: "1.12",
        gitCommit: "5d6db84", goVersion: "go1.19.8",
        kernelVersion: "5.10.0-28-amd64", operatingSystem: "Debian GNU/Linux 11 (bullseye)",
        storageDriver: "overlay2", cgroupDriver: "cgroupfs", cgroupVersion: "1",
        securityOptions: ["name=seccomp,profile=default"])

    /// Docker 26.1.5 on Debian trixie with cgroup v2 and systemd.
    package static let docker26 = DaemonPersona(
        version: "26.1.5", apiVersion: "1.45", minAPIVersion: "1.24",
        gitCommit: "411e817", goVersion: "go1.21.13",
        kernelVersion: "6.1.0-18-amd64", operatingSystem: "Debian GNU/Linux trixie/sid",
        storageDriver: "overlay2", cgroupDriver: "systemd", cgroupVersion: "2",
        securityOptions: ["name=seccomp,profile=builtin", "name=cgroupns"])

    /// The four built-in personas, oldest first.
    package static let all: [DaemonPersona] = [.docker1dot7, .docker1dot9, .docker20dot10, .docker26]

    package var description: String { "Docker \(version) (API \(apiVersion), minimum \(minAPIVersion))" }
}

/// Behaviour that changed between Docker releases, keyed by the first API version that has it.
/// Versions come from the Engine API version history and moby's source of each era.
enum DaemonFeature: CaseIterable {
    /// Every response carries Api-Version, Docker-Experimental and Ostype (Docker 1.13).
    case apiVersionHeaders
    /// Error bodies are `{"message": ...}` JSON rather than plain text.
    case jsonErrors
    /// Version errors read "client version X is too new/old" instead of
    /// "client is newer than server" / "client is too old" (Docker 17.06).
    case versionErrorsNameClientVersion
    /// `HEAD /_ping` exists (Docker 19.03).
    case headPing
    /// `_ping` answers carry Builder-Version.
    case builderVersionHeader
    /// `_ping` answers carry Swarm.
    case swarmHeader
    /// `GET /version` reports BuildTime.
    case versionBuildTime
    /// `GET /version` reports MinAPIVersion.
    case versionMinAPIVersion
    /// `GET /info` reports CgroupDriver.
    case infoCgroupDriver
    /// `GET /info` reports CgroupVersion.
    case infoCgroupVersion
    /// `GET /info` reports SecurityOptions.
    case infoSecurityOptions
    /// Container inspect has State.Status.
    case containerStateStatus
    /// Container lists have a State field.
    case containerListState
    /// `/containers/{id}/archive` exists (Docker 1.8).
    case archiveEndpoint
    /// Events carry Type, Action and Actor.
    case eventActors
    /// Image ids are content addresses with a "sha256:" prefix (Docker 1.10).
    case digestImageIDs
    /// `POST /images/load` answers a JSON message stream.
    case loadReportsJSON
    /// A detached `POST /exec/{id}/start` answers 200 (Docker 1.9); before, 204.
    case detachedExecStartAnswers200
    /// Exec inspect reports ExitCode null while the process runs.
    case execExitCodeNullWhileRunning
    /// `POST /containers/{id}/wait` sends its head at once and the body when the container stops.
    case waitStreamsHead
    /// A 101 hijack answer repeats the daemon's common headers.
    case hijackCopiesHeaders
    /// Streams say application/vnd.docker.multiplexed-stream when they are multiplexed.
    case multiplexedStreamContentType

    /// `GET /version` reports Platform and Components.
    case versionComponents
    /// `GET /info` counts running, paused and stopped containers.
    case infoContainerStates
    /// `GET /info` reports ServerVersion.
    case infoServerVersion
    /// Import `changes` take LABEL (Docker 1.8); before, "label is not a valid change command".
    case labelImportChanges
    /// Unknown capabilities are refused at create ("invalid CapAdd: unknown capability");
    /// before, at start ("Unknown capability to add").
    case capabilitiesCheckedAtCreate

    /// The first API version with the feature.
    var since: APIVersion {
        switch self {
        case .apiVersionHeaders: "1.25"
        case .jsonErrors: "1.24"
        case .versionErrorsNameClientVersion: "1.30"
        case .headPing: "1.40"
        case .builderVersionHeader: "1.39"
        case .swarmHeader: "1.44"
        case .versionBuildTime: "1.20"
        case .versionMinAPIVersion: "1.25"
        case .infoCgroupDriver: "1.23"
        case .infoCgroupVersion: "1.40"
        case .infoSecurityOptions: "1.24"
        case .containerStateStatus: "1.21"
        case .containerListState: "1.23"
        case .archiveEndpoint: "1.20"
        case .eventActors: "1.22"
        case .digestImageIDs: "1.22"
        case .loadReportsJSON: "1.23"
        case .detachedExecStartAnswers200: "1.21"
        case .execExitCodeNullWhileRunning: "1.22"
        case .waitStreamsHead: "1.30"
        case .hijackCopiesHeaders: "1.31"
        case .multiplexedStreamContentType: "1.42"
        case .versionComponents: "1.35"
        case .infoContainerStates: "1.22"
        case .infoServerVersion: "1.21"
        case .labelImportChanges: "1.20"
        case .capabilitiesCheckedAtCreate: "1.40"
        }
    }
}

extension DaemonPersona {
    var api: APIVersion { APIVersion(known: apiVersion) }
    var minimumAPI: APIVersion { APIVersion(known: minAPIVersion) }

    /// Whether this daemon release has the feature at all.
    func has(_ feature: DaemonFeature) -> Bool { api >= feature.since }

    /// The headers the daemon puts on every response (its version middleware).
    var commonHeaders: [(String, String)] {
        var headers = [("Server", "Docker/\(version) (linux)")]
        if has(.apiVersionHeaders) {
            headers += [("Api-Version", apiVersion), ("Docker-Experimental", "false"), ("Ostype", "linux")]
        }
        return headers
    }
}
