package import DindLabCore
package import DockerEngine
import Foundation

/// Gathers an engine's fingerprint: what it says about itself, how it treats privileged
/// containers, and, for a daemon on this machine, its own cgroup lines.
package struct FingerprintCollector: Sendable {
    let client: EngineClient

    package init(client: EngineClient) {
        self.client = client
    }

    /// - Parameters:
    ///   - privilege: The result of a privilege probe, if one ran.
    ///   - daemonPID: The daemon's pid when it runs on this machine (a private engine), so
    ///     its `/proc/<pid>/cgroup` can be read.
    /// - Returns: The fingerprint.
    /// - Throws: `EngineError` when the engine does not answer.
    package func collect(privilege: PrivilegeSupport?, daemonPID: Int32? = nil) async throws -> EngineFingerprint {
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
        fingerprint.cpuCount = info.cpus
        let view = daemonPID.flatMap(DaemonCgroupView.read(pid:))
        fingerprint.cgroupSimulated = view?.simulated
        fingerprint.cgroupControllers = view?.controllers
        // Engines before API 1.40 do not report their cgroup version: all of them are v1.
        if fingerprint.cgroupVersion == nil, let view { fingerprint.cgroupVersion = view.version.rawValue }
        fingerprint.cgroupNamespaceMode = DaemonCgroupView.defaultNamespaceMode(
            apiVersion: version.apiVersion, cgroupVersion: fingerprint.cgroupVersion,
            daemonArguments: daemonPID.flatMap(DaemonCgroupView.commandLine(ofProcess:)))
        if let privilege, let probeError = privilege.probeError {
            // The probe could not tell: no claim either way, and why.
            fingerprint.privilegedError = probeError
        } else if let privilege {
            fingerprint.privilegedSupported = privilege.privileged
            fingerprint.privilegedEmulated = privilege.emulated
            fingerprint.refusedCapabilities = privilege.refusedCapabilities
            fingerprint.privilegedError = privilege.privilegedError
        }
        return fingerprint
    }

    /// Probes `--privileged` with a short-lived container (importing a tiny probe image when
    /// the engine has no outer image), then collects the fingerprint.
    ///
    /// - Parameters:
    ///   - daemonPID: The daemon's pid when it runs on this machine.
    ///   - factsCache: Where to keep what the probe found for later runs on this daemon.
    /// - Returns: The fingerprint, privilege probe included.
    /// - Throws: `EngineError` when the engine does not answer or refuses the probe container.
    package func probeAndCollect(daemonPID: Int32? = nil, factsCache: EngineFactsCache? = nil) async throws
        -> EngineFingerprint
    {
        try await client.negotiate()
        let image = try await ProbeImage.ensure(on: client)
        // The probe's containers carry a run of their own, so `dindlab gc` can collect them
        // if the process is killed mid-probe.
        var labels = Ownership.current(runID: RunID.generate(), startedAt: Date()).labels
        labels[Ownership.probeLabel] = "privilege"
        let privilege = try await PrivilegeProbe(client: client, image: image, labels: labels, daemonPID: daemonPID)
            .run()
        // What a probe finds, the next run on this daemon need not find again.
        if let factsCache, let instance = EngineInstance(address: client.address) {
            factsCache.store(privilege, of: instance)
        }
        return try await collect(privilege: privilege, daemonPID: daemonPID)
    }

    /// The `/proc/<pid>/cgroup` lines of a local process, or nil when not readable.
    package static func cgroupLines(ofProcess pid: Int32) -> [String]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").map(String.init)
    }
}
