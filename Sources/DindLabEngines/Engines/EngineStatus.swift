public import DockerEngine

/// What `engine status` and `engine list` report about one private engine.
public struct EngineStatus: Sendable {
    public var name: String
    public var layout: EngineLayout
    /// What `up` recorded; nil when no engine was ever started in this directory.
    public var record: EngineRecord?
    /// The recorded daemon process still runs (same pid and start time).
    public var isRunning: Bool
    /// The daemon answers GET /_ping on its socket.
    public var isAnswering: Bool
    /// The daemon's own versions (GET /version), when it answers.
    public var versions: EngineVersion?

    /// The daemon's pid while it runs.
    public var pid: Int32? { isRunning ? record?.pid : nil }
}

/// What `engine down` did.
public struct DownReport: Sendable {
    public var name: String
    public var layout: EngineLayout
    /// The daemon's pid, when it was still running.
    public var daemonPID: Int32?
    /// The daemon ignored SIGTERM for the whole stop timeout and was killed.
    public var daemonKilled = false
    /// Other processes of the engine (containerd, shims, containers) that outlived the daemon
    /// and were stopped.
    public var strayPIDs: [Int32] = []
    /// Mount points under the engine directory that were unmounted in dindlab's namespace.
    public var unmounted: [String] = []
    /// Things that could not be cleaned up, one sentence each.
    public var problems: [String] = []

    /// Whether a daemon was running before `down`.
    public var wasRunning: Bool { daemonPID != nil }
}
