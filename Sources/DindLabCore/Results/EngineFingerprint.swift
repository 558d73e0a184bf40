/// What identifies an engine's behaviour, recorded in the manifest so that a good host
/// and a bad one can be compared line by line.
///
/// Every field is optional because engines of different eras report different things
/// (Docker 1.7 has no cgroup driver in its info, a remote engine's daemon cgroup lines
/// are not readable). The harness fills it; results only store it.
package struct EngineFingerprint: Sendable, Hashable, Codable {
    /// e.g. "20.10.24" or "1.7.1".
    package var daemonVersion: String?
    /// The API version the engine speaks, e.g. "1.41".
    package var apiVersion: String?
    /// The oldest API version the engine accepts, e.g. "1.12".
    package var minAPIVersion: String?
    /// e.g. "6.1.0-18-amd64".
    package var kernelVersion: String?
    /// e.g. "Debian GNU/Linux 12 (bookworm)".
    package var operatingSystem: String?
    /// e.g. "overlay2", "vfs", "devicemapper".
    package var storageDriver: String?
    /// "cgroupfs" or "systemd".
    package var cgroupDriver: String?
    /// "1" or "2".
    package var cgroupVersion: String?
    /// Whether the engine's cgroup v2 is simulated on a v1 or hybrid host (dindlab's
    /// `engine up --cgroup-version 2`); nil when unknown (a remote engine).
    package var cgroupSimulated: Bool?
    /// The cgroup namespace mode containers get by default: "private" or "host".
    package var cgroupNamespaceMode: String?
    /// The cgroup controllers the daemon can give containers (v2: its root's cgroup.controllers;
    /// v1: the mounted hierarchies); nil when unknown (a remote engine). Empty on a simulated
    /// v2 engine: the host's v1 hierarchies keep the resource controllers.
    package var cgroupControllers: [String]?
    /// The daemon process's own `/proc/<pid>/cgroup` lines, nil when not readable.
    /// The field report's bad host differed from the good one only here.
    package var daemonCgroupLines: [String]?
    /// Whether the engine grants `--privileged` (it fails on hosts without every capability).
    package var privilegedSupported: Bool?
    /// Whether `privileged: true` is emulated with the capabilities the engine has.
    package var privilegedEmulated: Bool
    /// Capabilities the engine could not grant (e.g. SYS_RESOURCE), when it was probed.
    package var refusedCapabilities: [String]?
    /// The daemon's error for `--privileged`, when it failed.
    package var privilegedError: String?
    /// The CPUs of the engine's host (`NCPU` in its info); nil when it does not say.
    package var cpuCount: Int?

    /// Every field may be left out; see the properties for their meaning.
    package init(
        daemonVersion: String? = nil, apiVersion: String? = nil, minAPIVersion: String? = nil,
        kernelVersion: String? = nil, operatingSystem: String? = nil, storageDriver: String? = nil,
        cgroupDriver: String? = nil, cgroupVersion: String? = nil, cgroupSimulated: Bool? = nil,
        cgroupNamespaceMode: String? = nil, cgroupControllers: [String]? = nil, daemonCgroupLines: [String]? = nil,
        privilegedSupported: Bool? = nil, privilegedEmulated: Bool = false,
        refusedCapabilities: [String]? = nil, privilegedError: String? = nil
    ) {
        self.daemonVersion = daemonVersion
        self.apiVersion = apiVersion
        self.minAPIVersion = minAPIVersion
        self.kernelVersion = kernelVersion
        self.operatingSystem = operatingSystem
        self.storageDriver = storageDriver
        self.cgroupDriver = cgroupDriver
        self.cgroupVersion = cgroupVersion
        self.cgroupSimulated = cgroupSimulated
        self.cgroupNamespaceMode = cgroupNamespaceMode
        self.cgroupControllers = cgroupControllers
        self.daemonCgroupLines = daemonCgroupLines
        self.privilegedSupported = privilegedSupported
        self.privilegedEmulated = privilegedEmulated
        self.refusedCapabilities = refusedCapabilities
        self.privilegedError = privilegedError
    }

    private var controllersText: String {
        guard let cgroupControllers else { return "(unknown)" }
        let listed = cgroupControllers.isEmpty ? "none" : cgroupControllers.joined(separator: " ")
        guard cgroupSimulated == true else { return listed }
        return listed
            + (cgroupControllers.allSatisfy { $0 == "hugetlb" || $0 == "misc" || $0 == "rdma" }
                ? " (no resource controllers: on this simulated v2 host the v1 hierarchies keep cpu, memory, io and pids)"
                : "")
    }

    /// The fingerprint as "name: value" lines in a fixed order, for printing and for
    /// comparing two engines line by line.
    package var lines: [(name: String, value: String)] {
        func text(_ value: String?) -> String { value ?? "(unknown)" }
        var lines: [(String, String)] = [
            ("daemon version", text(daemonVersion)),
            ("API version", text(apiVersion)),
            ("minimum API version", text(minAPIVersion)),
            ("kernel", text(kernelVersion)),
            ("operating system", text(operatingSystem)),
            ("storage driver", text(storageDriver)),
            ("cgroup driver", text(cgroupDriver)),
            ("cgroup version", text(cgroupVersion) + (cgroupSimulated == true ? " (simulated on a v1 host)" : "")),
            ("cgroup namespace", text(cgroupNamespaceMode)),
            ("cgroup controllers", controllersText),
            (
                "privileged",
                privilegedSupported.map { $0 ? "granted" : "refused" + (privilegedEmulated ? " (emulated)" : "") }
                    ?? (privilegedError.map { "(unknown: \($0))" } ?? "(not probed)")
            ),
        ]
        if let cpuCount { lines.append(("CPUs", String(cpuCount))) }
        if let refusedCapabilities {
            lines.append(
                (
                    "refused capabilities",
                    refusedCapabilities.isEmpty ? "none" : refusedCapabilities.joined(separator: ", ")
                ))
        }
        for (index, line) in (daemonCgroupLines ?? []).enumerated() {
            lines.append(("daemon cgroup[\(index)]", line))
        }
        return lines
    }
}
