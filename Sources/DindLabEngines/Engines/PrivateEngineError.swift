/// What went wrong while starting, stopping or inspecting a private engine.
///
/// `description` is a full sentence with the context (paths, pids, versions, the daemon's
/// last log lines); `code` says which kind of failure it was, for callers that react to it.
package struct PrivateEngineError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure. New kinds may be added; match the ones you handle.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case daemonNotFound
            case binaryNotUsable
            case versionUnreadable
            case dockerdMissing
            case optionUnsupported
            case invalidName
            case invalidCgroup
            case directoryNotUsable
            case socketPathTooLong
            case alreadyRunning
            case nameTaken
            case toolMissing
            case launchFailed
            case cgroupFailed
            case daemonExitedEarly
            case daemonNotAnswering
            case engineNotFound
            case stateUnreadable
            case processesLeft
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No daemon binary was given and none was found on PATH.
        package static let daemonNotFound = Code(.daemonNotFound)
        /// The given binary does not exist or is not executable.
        package static let binaryNotUsable = Code(.binaryNotUsable)
        /// The binary's `--version` / `-v` output names no version.
        package static let versionUnreadable = Code(.versionUnreadable)
        /// A `docker` binary of 1.12 or later has no `dockerd` beside it.
        package static let dockerdMissing = Code(.dockerdMissing)
        /// An option was asked for that the daemon's version does not have.
        package static let optionUnsupported = Code(.optionUnsupported)
        /// The engine name is not usable as a directory name.
        package static let invalidName = Code(.invalidName)
        /// A `--cgroup CONTROLLER:PATH` value is malformed or names no mounted hierarchy.
        package static let invalidCgroup = Code(.invalidCgroup)
        /// The engine directory cannot be used (relative, not creatable, hidden by the isolation).
        package static let directoryNotUsable = Code(.directoryNotUsable)
        /// A unix socket path under the engine directory exceeds the kernel's sun_path limit.
        package static let socketPathTooLong = Code(.socketPathTooLong)
        /// An engine already runs in that directory.
        package static let alreadyRunning = Code(.alreadyRunning)
        /// The engine name already designates another engine directory.
        package static let nameTaken = Code(.nameTaken)
        /// A host tool dindlab needs (util-linux `unshare`, /bin/sh) is missing.
        package static let toolMissing = Code(.toolMissing)
        /// The daemon process could not be spawned or its files not written.
        package static let launchFailed = Code(.launchFailed)
        /// The daemon could not be placed into a requested cgroup.
        package static let cgroupFailed = Code(.cgroupFailed)
        /// The daemon exited before it answered.
        package static let daemonExitedEarly = Code(.daemonExitedEarly)
        /// The daemon kept running but did not answer before the deadline.
        package static let daemonNotAnswering = Code(.daemonNotAnswering)
        /// There is no engine of that name or in that directory.
        package static let engineNotFound = Code(.engineNotFound)
        /// engine.json exists but cannot be read.
        package static let stateUnreadable = Code(.stateUnreadable)
        /// Processes of the engine survived SIGKILL.
        package static let processesLeft = Code(.processesLeft)

        package var description: String { base.rawValue }
    }

    /// What the user can do about a failure, as facts; the executable words it with its
    /// commands and options (`dindlab engine down --name NAME`, `--dir`).
    package enum Remedy: Sendable, Hashable {
        /// Stop the engine first (its processes, with `processes`); `otherwise` names what
        /// else would do.
        case stopFirst(EngineDesignation, processes: Bool, otherwise: Alternative?)
        /// Choose another engine name, or remove the folder the name points to.
        case anotherNameOrRemoveFolder
        /// Stop the daemon that answers there, or use another engine directory.
        case stopDaemonOrAnotherDirectory
        /// Use an engine directory like this one: "elsewhere, e.g. under /tmp".
        case directory(String)
        /// Give the daemon binary: "the dockerd of that release".
        case binary(String)
        /// Install the Debian package that has dockerd, or give a daemon binary.
        case installOrBinary(package: String)
        /// Let the engine have the host's cgroup version (ask for none).
        case hostCgroupVersion
    }

    /// What else would do, besides stopping the engine.
    package enum Alternative: Sendable, Hashable {
        /// Choose another engine name.
        case anotherName
        /// Use another engine directory.
        case anotherDirectory
    }

    /// How the user designates an engine: by its name, or by its directory when that is not
    /// the named engine's folder.
    package enum EngineDesignation: Sendable, Hashable {
        case name(String)
        case directory(String)
    }

    /// The kind of failure.
    package let code: Code
    /// A full sentence saying what happened, with its context.
    package let description: String
    /// What the user can do about it, when a command or option of the executable does it.
    package let remedy: Remedy?

    init(_ code: Code, _ description: String, remedy: Remedy? = nil) {
        self.code = code
        self.description = description
        self.remedy = remedy
    }
}

extension PrivateEngineError {
    /// The last lines of a daemon log, indented, for error messages; says so when the log is empty.
    static func logExcerpt(_ lines: [String], path: String) -> String {
        if lines.isEmpty { return "Its log \(path) is empty." }
        return "The last lines of its log \(path):\n" + lines.map { "    " + $0 }.joined(separator: "\n")
    }
}
