package import DockerEngine
import Foundation

/// What an engine can grant an outer container, found by trying.
///
/// Some engines cannot grant `--privileged`: a dockerd that itself lacks a capability (on
/// some VMs CAP_SYS_RESOURCE) makes runc fail with "unable to apply caps: operation not
/// permitted", for `--cap-add ALL` too. dindlab then emulates privileged mode with every
/// capability the engine *can* grant, which this probe finds.
package struct PrivilegeSupport: Codable, Sendable, Equatable {
    /// `--privileged` works as is.
    package var privileged: Bool
    /// Capabilities an emulated privileged container gets (empty when `privileged`).
    package var grantableCapabilities: [String]
    /// Capabilities the engine refused to grant or did not know.
    package var refusedCapabilities: [String]
    /// The daemon's error for `--privileged`, when it failed.
    package var privilegedError: String?
    /// Why the probe could not tell, when it could not: outer containers then ask for
    /// `--privileged` as written, and the facts above are not the engine's.
    package var probeError: String?

    package init(
        privileged: Bool, grantableCapabilities: [String], refusedCapabilities: [String], privilegedError: String?,
        probeError: String? = nil
    ) {
        self.privileged = privileged
        self.grantableCapabilities = grantableCapabilities
        self.refusedCapabilities = refusedCapabilities
        self.privilegedError = privilegedError
        self.probeError = probeError
    }

    /// True when outer containers that ask for privileged mode get the emulation.
    package var emulated: Bool { !privileged }
}

/// Probes an engine with short-lived containers of a given image running `true`.
package struct PrivilegeProbe: Sendable {
    /// Every capability name of Linux 6.x, in bit order.
    package static let allCapabilities = [
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
    package init(client: EngineClient, image: String, labels: [String: String], daemonPID: Int32? = nil) {
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
    /// A probe never aborts what called it: when the engine answers in a way the probe cannot
    /// read (an error that is neither a refused nor an unknown capability), the result says
    /// so in `probeError`, and outer containers ask for `--privileged` as written.
    ///
    /// - Returns: What the engine supports.
    /// - Throws: Only `CancellationError`.
    package func run() async throws -> PrivilegeSupport {
        do {
            return try await probe()
        } catch  where error is CancellationError || Task.isCancelled {
            throw CancellationError()
        } catch {
            return PrivilegeSupport(
                privileged: true, grantableCapabilities: [], refusedCapabilities: [], privilegedError: nil,
                probeError: "The privilege probe with the image \(image) failed: \(error)")
        }
    }

    private func probe() async throws -> PrivilegeSupport {
        var host = HostConfig()
        host.privileged = true
        let bounding = daemonPID.flatMap(Self.boundingCapabilities(ofProcess:))
        let failure: String?
        let emulation: (grantable: [String], refused: [String])?
        if let bounding, Self.allCapabilities.contains(where: { !bounding.contains($0) }) {
            async let privilegedFailure = attempt(host).failure
            emulation = try await grantableCapabilities(bounding: bounding)
            failure = try await privilegedFailure
        } else {
            failure = try await attempt(host).failure
            emulation = failure == nil ? nil : try await grantableCapabilities(bounding: bounding)
        }
        guard let failure, let emulation else {
            return PrivilegeSupport(
                privileged: true, grantableCapabilities: [], refusedCapabilities: [], privilegedError: nil)
        }
        return PrivilegeSupport(
            privileged: false, grantableCapabilities: emulation.grantable,
            refusedCapabilities: emulation.refused, privilegedError: failure)
    }

    /// The capabilities the engine can grant, and those it refuses or does not know.
    ///
    /// Daemons refuse capabilities they do not know by name, one at a time: today's at create
    /// ("invalid CapAdd: unknown capability: \"CAP_BPF\""), Docker 1.7-1.9 at start ("Unknown
    /// capability to add: \"PERFMON\""). Each named one is dropped and the rest asked again;
    /// then the known ones runc cannot apply are found.
    private func grantableCapabilities(bounding: Set<String>?) async throws -> (grantable: [String], refused: [String])
    {
        var known = Self.allCapabilities
        var unknown: [String] = []
        while true {
            // Outside a known bounding set nothing can be granted: ask for the rest only.
            let asked = bounding.map { bounding in known.filter { bounding.contains($0) } } ?? known
            let outside = known.filter { !asked.contains($0) }
            switch try await attempt(capAdd: asked) {
            case .started:
                return (asked, unknown + outside)
            case .unknownCapability(let name?) where known.contains(name):
                known.removeAll { $0 == name }
                unknown.append(name)
            case .unknownCapability, .refused:
                let refused = try await refusedCapabilities(asked)
                return (asked.filter { !refused.contains($0) }, unknown + outside + refused)
            }
        }
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

    /// The capabilities among `capabilities` the engine refuses, by halving the list.
    private func refusedCapabilities(_ capabilities: [String]) async throws -> [String] {
        guard !capabilities.isEmpty else { return [] }
        guard try await attempt(capAdd: capabilities).failure != nil else { return [] }
        if capabilities.count == 1 { return capabilities }
        let middle = capabilities.count / 2
        return try await refusedCapabilities(Array(capabilities[..<middle]))
            + refusedCapabilities(Array(capabilities[middle...]))
    }

    /// How an engine answered a probe container.
    enum Answer: Equatable {
        /// It started (and ended).
        case started
        /// Starting it failed for want of permission; the daemon's words.
        case refused(String)
        /// The daemon does not know a capability it was asked for; its name when the message
        /// names one of `allCapabilities`.
        case unknownCapability(String?)

        /// The daemon's words when the container did not start.
        var failure: String? {
            switch self {
            case .started: nil
            case .refused(let message): message
            case .unknownCapability(let name): "unknown capability \(name ?? "(unnamed)")"
            }
        }
    }

    private func attempt(capAdd: [String]) async throws -> Answer {
        var host = HostConfig()
        host.capAdd = capAdd
        return try await attempt(host)
    }

    /// Creates and starts a container and says how the engine answered.
    ///
    /// - Throws: `EngineError` when the engine fails for another reason.
    private func attempt(_ host: HostConfig) async throws -> Answer {
        var host = host
        host.networkMode = "none"
        var config = ContainerConfig(image: image, cmd: ["true"])
        config.networkDisabled = true
        config.labels = labels
        config.hostConfig = host
        let created: ContainerCreated
        do {
            created = try await client.createContainer(config)
        } catch let error as EngineError where error.status != nil {
            guard let name = Self.unknownCapability(in: error.daemonMessage ?? "") else { throw error }
            return .unknownCapability(name.isEmpty ? nil : name)
        }
        var answer = Answer.started
        do {
            try await client.startContainer(created.id)
            _ = try await client.waitContainer(created.id)
        } catch let error as EngineError where error.status != nil {
            let message = error.daemonMessage ?? ""
            if let name = Self.unknownCapability(in: message) {
                answer = .unknownCapability(name.isEmpty ? nil : name)
            } else if Self.isPermissionFailure(message) {
                answer = .refused(message)
            } else {
                try? await client.removeContainer(created.id)
                throw error
            }
        } catch {
            try? await client.removeContainer(created.id)
            throw error
        }
        try? await client.removeContainer(created.id)
        return answer
    }

    /// The capability a daemon's error names as unknown: "" when the message is about an
    /// unknown capability without naming one of `allCapabilities`, nil when it is about
    /// something else. Today's daemons say `invalid CapAdd: unknown capability: "CAP_BPF"`,
    /// Docker 1.7-1.9 `Cannot start container ID: Unknown capability to add: "PERFMON"`.
    static func unknownCapability(in message: String) -> String? {
        guard message.lowercased().contains("unknown capability") else { return nil }
        return allCapabilities.first { message.contains("\"CAP_\($0)\"") || message.contains("\"\($0)\"") } ?? ""
    }

    static func isPermissionFailure(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return lowered.contains("unable to apply caps") || lowered.contains("operation not permitted")
    }
}
