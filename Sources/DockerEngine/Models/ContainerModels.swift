import Foundation

/// The body of POST /containers/create. Only what dindlab sets; nil fields are left out,
/// so the same request works on daemons that predate a field.
public struct ContainerConfig: Encodable, Sendable {
    public var image: String
    public var cmd: [String]?
    public var entrypoint: [String]?
    public var env: [String]?
    public var labels: [String: String]?
    public var tty: Bool?
    public var openStdin: Bool?
    public var attachStdout: Bool?
    public var attachStderr: Bool?
    public var workingDir: String?
    public var hostname: String?
    /// No network at all: no libnetwork sandbox, and no `libnetwork-setkey` prestart hook
    /// (a re-execution of dockerd) when the container starts. The container still gets a
    /// network namespace of its own, with only its loopback interface.
    public var networkDisabled: Bool?
    /// Anonymous volumes: path -> {} (the API's odd spelling).
    public var volumes: [String: [String: String]]?
    public var hostConfig: HostConfig?

    public init(image: String, cmd: [String]? = nil) {
        self.image = image
        self.cmd = cmd
    }

    enum CodingKeys: String, CodingKey {
        case image = "Image"
        case cmd = "Cmd"
        case entrypoint = "Entrypoint"
        case env = "Env"
        case labels = "Labels"
        case tty = "Tty"
        case openStdin = "OpenStdin"
        case attachStdout = "AttachStdout"
        case attachStderr = "AttachStderr"
        case workingDir = "WorkingDir"
        case hostname = "Hostname"
        case networkDisabled = "NetworkDisabled"
        case volumes = "Volumes"
        case hostConfig = "HostConfig"
    }
}

/// HostConfig of a create request.
public struct HostConfig: Encodable, Sendable {
    public var privileged: Bool?
    public var capAdd: [String]?
    public var securityOpt: [String]?
    /// "host:container:mode" bind mounts.
    public var binds: [String]?
    /// Path -> mount options; since API 1.22.
    public var tmpfs: [String: String]?
    /// Since API 1.25 (Docker 1.13); "a *:* rwm" allows every device.
    public var deviceCgroupRules: [String]?
    public var networkMode: String?
    public var cgroupParent: String?
    /// Since API 1.41: "private" or "host" (the container's cgroup namespace).
    public var cgroupnsMode: String?
    public var autoRemove: Bool?
    /// Since API 1.25: `--init`.
    public var initProcess: Bool?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case privileged = "Privileged"
        case capAdd = "CapAdd"
        case securityOpt = "SecurityOpt"
        case binds = "Binds"
        case tmpfs = "Tmpfs"
        case deviceCgroupRules = "DeviceCgroupRules"
        case networkMode = "NetworkMode"
        case cgroupParent = "CgroupParent"
        case cgroupnsMode = "CgroupnsMode"
        case autoRemove = "AutoRemove"
        case initProcess = "Init"
    }
}

/// The answer to POST /containers/create.
public struct ContainerCreated: Decodable, Sendable {
    public var id: String
    public var warnings: [String]?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case warnings = "Warnings"
    }
}

/// GET /containers/{id}/json: the parts dindlab reads. The raw JSON is kept for artifacts.
public struct ContainerInspect: Decodable, Sendable {
    public struct State: Decodable, Sendable {
        /// Since API 1.21; older daemons only have the booleans.
        public var status: String?
        public var running: Bool
        public var exitCode: Int
        public var pid: Int
        public var error: String?
        public var oomKilled: Bool?
        public var startedAt: String?
        public var finishedAt: String?

        enum CodingKeys: String, CodingKey {
            case status = "Status"
            case running = "Running"
            case exitCode = "ExitCode"
            case pid = "Pid"
            case error = "Error"
            case oomKilled = "OOMKilled"
            case startedAt = "StartedAt"
            case finishedAt = "FinishedAt"
        }
    }

    public struct Config: Decodable, Sendable {
        public var labels: [String: String]?
        public var tty: Bool?
        public var cmd: [String]?
        public var image: String?

        enum CodingKeys: String, CodingKey {
            case labels = "Labels"
            case tty = "Tty"
            case cmd = "Cmd"
            case image = "Image"
        }
    }

    public var id: String
    public var name: String?
    public var state: State
    public var config: Config?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case state = "State"
        case config = "Config"
    }
}

/// One entry of GET /containers/json.
public struct ContainerSummary: Decodable, Sendable {
    public var id: String
    public var names: [String]?
    public var image: String?
    /// Since API 1.23.
    public var state: String?
    public var status: String?
    public var labels: [String: String]?
    public var created: Int?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case names = "Names"
        case image = "Image"
        case state = "State"
        case status = "Status"
        case labels = "Labels"
        case created = "Created"
    }
}

/// GET /containers/{id}/top.
public struct ContainerTop: Decodable, Sendable {
    public var titles: [String]
    public var processes: [[String]]

    enum CodingKeys: String, CodingKey {
        case titles = "Titles"
        case processes = "Processes"
    }
}
