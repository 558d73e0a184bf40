package import DockerEngine

/// What `engine status` and `engine list` report about one private engine.
package struct EngineStatus: Sendable {
    package var name: String
    package var layout: EngineLayout
    /// What `up` recorded; nil when no engine was ever started in this directory.
    package var record: EngineRecord?
    /// The recorded daemon process still runs (same pid and start time).
    package var isRunning: Bool
    /// The daemon answers GET /_ping on its socket.
    package var isAnswering: Bool
    /// The daemon's own versions (GET /version), when it answers.
    package var versions: EngineVersion?

    /// The daemon's pid while it runs.
    package var pid: Int32? { isRunning ? record?.pid : nil }
}

/// What `engine down` did.
package struct DownReport: Sendable {
    package var name: String
    package var layout: EngineLayout
    /// The daemon's pid, when it was still running.
    package var daemonPID: Int32?
    /// The daemon ignored SIGTERM for the whole stop timeout and was killed.
    package var daemonKilled = false
    /// Other processes of the engine (containerd, shims, containers) that outlived the daemon
    /// and were stopped.
    package var strayPIDs: [Int32] = []
    /// Mount points under the engine directory that were unmounted in dindlab's namespace.
    package var unmounted: [String] = []
    /// Things that could not be cleaned up, one sentence each.
    package var problems: [String] = []

    /// Whether a daemon was running before `down`.
    package var wasRunning: Bool { daemonPID != nil }
}
