import DockerEngine
import Foundation

/// Gathers an engine's fingerprint: what it says about itself, how it treats privileged
/// containers, and, for a daemon on this machine, its own cgroup lines.
public struct FingerprintCollector: Sendable {
    let client: EngineClient

    public init(client: EngineClient) {
        self.client = client
    }

    /// - Parameters:
    ///   - privilege: The result of a privilege probe, if one ran.
    ///   - daemonPID: The daemon's pid when it runs on this machine (a private engine), so
    ///     its `/proc/<pid>/cgroup` can be read.
    /// - Returns: The fingerprint.
    /// - Throws: `EngineError` when the engine does not answer.
    public func collect(privilege: PrivilegeSupport?, daemonPID: Int32? = nil) async throws -> EngineFingerprint {
        let version = try await client.version()
        let info = try await client.info()
        var fingerprint = EngineFingerprint(
            daemonVersion: version.version,
            apiVersion: version.apiVersion.description,
            minAPIVersion: version.minAPIVersion?.description,
            kernelVersion: info.kernelVersion ?? version.kernelVersion,
            operatingSystem: info.operatingSystem,
            storageDriver: info.driver,
            cgroupDriver: info.cgroupDriver,
            cgroupVersion: info.cgroupVersion,
            daemonCgroupLines: daemonPID.flatMap(Self.cgroupLines(ofProcess:))
        )
        if let privilege {
            fingerprint.privilegedSupported = privilege.privileged
            fingerprint.privilegedEmulated = privilege.emulated
            fingerprint.refusedCapabilities = privilege.refusedCapabilities
            fingerprint.privilegedError = privilege.privilegedError
        }
        return fingerprint
    }

    /// The `/proc/<pid>/cgroup` lines of a local process, or nil when not readable.
    public static func cgroupLines(ofProcess pid: Int32) -> [String]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").map(String.init)
    }
}
