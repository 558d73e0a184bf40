package import Foundation

/// What `engine up` started, as written to DIR/engine.json. It stays after `down` (with the
/// log), so one can see later which binary and command line an engine had.
package struct EngineRecord: Codable, Sendable, Hashable {
    package var name: String
    /// The engine directory.
    package var directory: String
    /// The daemon binary that was started.
    package var binary: String
    /// The version the binary reported.
    package var version: DaemonVersion
    /// How the binary was started (`docker -d`, `docker daemon`, `dockerd`).
    package var era: DaemonEra
    /// The daemon's pid.
    package var pid: Int32
    /// When the pid's process started (clock ticks after boot): tells the daemon apart from a
    /// later process that got the same pid.
    package var processStartTicks: UInt64
    /// The API socket path.
    package var socket: String
    package var startedAt: Date
    /// The daemon's command line.
    package var argv: [String]
    /// The cgroups the daemon was started in (`--cgroup`).
    package var cgroups: [CgroupPlacement]
    /// cgroup directories dindlab created for it; `down` removes them.
    package var createdCgroupDirectories: [String]
    /// The cgroup version the daemon sees (nil in records of engines started before it was kept).
    package var cgroupVersion: CgroupVersion?
    /// Whether cgroup v2 is simulated on a v1 or hybrid host (see `CgroupVersionSetup`).
    package var simulatedCgroupV2: Bool?

    /// `unix://SOCKET`.
    package var dockerHost: String { "unix://" + socket }

    enum CodingKeys: String, CodingKey {
        case name, directory, binary, version, era, pid
        case processStartTicks = "process-start-ticks"
        case socket
        case startedAt = "started-at"
        case argv, cgroups
        case createdCgroupDirectories = "created-cgroup-directories"
        case cgroupVersion = "cgroup-version"
        case simulatedCgroupV2 = "simulated-cgroup-v2"
    }

    static func read(from path: String) throws -> EngineRecord? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(EngineRecord.self, from: data)
        } catch {
            throw PrivateEngineError(
                .stateUnreadable,
                "The engine state file \(path) cannot be read: \(error). Remove it if the engine is not running.")
        }
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw PrivateEngineError(
                .launchFailed, "Could not write the engine state file \(path): \(error.localizedDescription).")
        }
    }
}
