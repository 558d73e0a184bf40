import DockerEngine
import Foundation

/// What an engine can grant an outer container, found by trying.
///
/// Some engines cannot grant `--privileged`: a dockerd that itself lacks a capability (on
/// some VMs CAP_SYS_RESOURCE) makes runc fail with "unable to apply caps: operation not
/// permitted", for `--cap-add ALL` too. dindlab then emulates privileged mode with every
/// capability the engine *can* grant, which this probe finds.
public struct PrivilegeSupport: Codable, Sendable, Equatable {
    /// `--privileged` works as is.
    public var privileged: Bool
    /// Capabilities an emulated privileged container gets (empty when `privileged`).
    public var grantableCapabilities: [String]
    /// Capabilities the engine refused to grant or did not know.
    public var refusedCapabilities: [String]
    /// The daemon's error for `--privileged`, when it failed.
    public var privilegedError: String?

    /// True when outer containers that ask for privileged mode get the emulation.
    public var emulated: Bool { !privileged }
}

/// Probes an engine with short-lived containers of a given image running `true`.
public struct PrivilegeProbe: Sendable {
    /// Every capability name of Linux 6.x, in bit order.
    public static let allCapabilities = [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
        "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
        "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
        "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
        "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
        "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
    ]

    let client: EngineClient
    let image: String
    let labels: [String: String]
    let daemonPID: Int32?

    /// - Parameters:
    ///   - client: The engine to probe.
    ///   - image: An image that has `true` (every outer image has).
    ///   - labels: Ownership labels for the probe containers.
    ///   - daemonPID: The daemon's pid when it runs on this machine (a private engine): its
    ///     capability bounding set then says at once which capabilities it can grant, and one
    ///     container confirms it, instead of a search with a dozen containers.
    public init(client: EngineClient, image: String, labels: [String: String], daemonPID: Int32? = nil) {
        self.client = client
        self.image = image
        self.labels = labels
        self.daemonPID = daemonPID
    }

    /// Tries `--privileged`, then finds the largest set of capabilities the engine grants.
    ///
    /// When the daemon's bounding set is known to lack a capability, `--privileged` cannot
    /// work, and the emulation is found while the attempt runs (only for the daemon's own
    /// words in the manifest): two container starts at once instead of one after the other.
    ///
    /// - Returns: What the engine supports.
    /// - Throws: `EngineError` when the engine fails for reasons other than capabilities
    ///   (image missing, engine unreachable).
    public func run() async throws -> PrivilegeSupport {
        var host = HostConfig()
        host.privileged = true
        let bounding = daemonPID.flatMap(Self.boundingCapabilities(ofProcess:))
        let failure: String?
        let emulation: (grantable: [String], refused: [String])?
        if let bounding, Self.allCapabilities.contains(where: { !bounding.contains($0) }) {
            async let privilegedFailure = attempt(host)
            emulation = try await grantableCapabilities(bounding: bounding)
            failure = try await privilegedFailure
        } else {
            failure = try await attempt(host)
            emulation = failure == nil ? nil : try await grantableCapabilities(bounding: bounding)
        }
        guard let failure, let emulation else {
            return PrivilegeSupport(privileged: true, grantableCapabilities: [], refusedCapabilities: [], privilegedError: nil)
        }
        return PrivilegeSupport(privileged: false, grantableCapabilities: emulation.grantable,
                                refusedCapabilities: emulation.refused, privilegedError: failure)
    }

    /// The capabilities the engine can grant, and those it refuses or does not know.
    private func grantableCapabilities(bounding: Set<String>?) async throws -> (grantable: [String], refused: [String]) {
        // Daemons that do not know a capability refuse it at create time by name; drop
        // those one by one, then find the ones runc cannot apply.
        var known = Self.allCapabilities
        var unknown: [String] = []
        while let name = try await unknownCapability(in: known) {
            known.removeAll { $0 == name }
            unknown.append(name)
        }
        let refused = try await refusedCapabilities(known, bounding: bounding)
        return (known.filter { !refused.contains($0) }, unknown + refused)
    }

    /// The capabilities the engine refuses among `capabilities`. A daemon cannot grant what
    /// is outside its own bounding set (runc inherits it), so when that set is known, one
    /// container with the rest confirms the answer; the search by halving is the fallback.
    private func refusedCapabilities(_ capabilities: [String], bounding: Set<String>?) async throws -> [String] {
        if let bounding {
            var host = HostConfig()
            host.capAdd = capabilities.filter { bounding.contains($0) }
            if try await attempt(host) == nil {
                return capabilities.filter { !bounding.contains($0) }
            }
        }
        return try await refusedCapabilities(capabilities)
    }

    /// The capabilities in a local process's bounding set (`CapBnd` in /proc/PID/status), by
    /// the names of `allCapabilities`, which are in bit order; nil when it cannot be read.
    static func boundingCapabilities(ofProcess pid: Int32) -> Set<String>? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapBnd:") }),
              let mask = UInt64(line.dropFirst("CapBnd:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return nil }
        return boundingCapabilities(mask: mask)
    }

    /// The capability names whose bits are set in `mask`.
    static func boundingCapabilities(mask: UInt64) -> Set<String> {
        Set(allCapabilities.enumerated().filter { bit, _ in bit < 64 && mask & (1 << UInt64(bit)) != 0 }.map(\.element))
    }

    private func refusedCapabilities(_ capabilities: [String]) async throws -> [String] {
        guard !capabilities.isEmpty else { return [] }
        var host = HostConfig()
        host.capAdd = capabilities
        guard try await attempt(host) != nil else { return [] }
        if capabilities.count == 1 { return capabilities }
        let middle = capabilities.count / 2
        return try await refusedCapabilities(Array(capabilities[..<middle])) + refusedCapabilities(Array(capabilities[middle...]))
    }

    /// The capability a daemon names as unknown ("invalid CapAdd: unknown capability:
    /// \"CAP_BPF\""), or nil when it accepts the list at create time.
    private func unknownCapability(in capabilities: [String]) async throws -> String? {
        var host = HostConfig()
        host.capAdd = capabilities
        host.networkMode = "none"
        var config = ContainerConfig(image: image, cmd: ["true"])
        config.labels = labels
        config.hostConfig = host
        do {
            let created = try await client.createContainer(config)
            try? await client.removeContainer(created.id)
            return nil
        } catch let error as EngineError where error.status == 400 || error.status == 500 {
            let message = error.daemonMessage ?? ""
            guard message.contains("unknown capability") else { throw error }
            return capabilities.first { message.contains("\"CAP_\($0)\"") || message.contains("\"\($0)\"") }
        }
    }

    /// Creates and starts a container; returns the daemon's error when starting fails for a
    /// permission reason, nil when it started.
    private func attempt(_ host: HostConfig) async throws -> String? {
        var host = host
        host.networkMode = "none"
        var config = ContainerConfig(image: image, cmd: ["true"])
        config.networkDisabled = true
        config.labels = labels
        config.hostConfig = host
        let created = try await client.createContainer(config)
        var failure: String?
        do {
            try await client.startContainer(created.id)
            _ = try await client.waitContainer(created.id)
        } catch let error as EngineError where error.status != nil && Self.isPermissionFailure(error.daemonMessage ?? "") {
            failure = error.daemonMessage
        } catch {
            try? await client.removeContainer(created.id)
            throw error
        }
        try? await client.removeContainer(created.id)
        return failure
    }

    static func isPermissionFailure(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return lowered.contains("unable to apply caps") || lowered.contains("operation not permitted")
    }
}
