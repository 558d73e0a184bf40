import Foundation

/// An error-level log line that explains no failure, so it must never become a signature.
///
/// Daemons log errors while probing for what works: a daemon in a container tries
/// storage drivers one after the other and logs each that fails before it settles on
/// one (or dies with its real, fatal error). Reading the first error must skip these.
/// The list is short and each entry says why it is harmless; a line matching none of
/// them is taken at its word.
package struct BenignErrorPattern: Sendable {
    /// A short name for reports and tests.
    package let name: String
    /// Why a line matching the pattern explains nothing.
    package let reason: String
    private let pattern: TextPattern

    /// - Parameters:
    ///   - name: A short name.
    ///   - pattern: An ICU regular expression searched for in a line's explanation
    ///     (its message and attached error).
    ///   - reason: Why such a line is harmless.
    package init(name: String, pattern: String, reason: String) {
        self.name = name
        self.reason = reason
        self.pattern = TextPattern(pattern)
    }

    /// Whether `explanation` (a line's message with its attached error) matches.
    package func matches(_ explanation: String) -> Bool {
        pattern.matches(explanation)
    }
}

extension BenignErrorPattern {
    /// The known benign errors, found in real startup logs of Docker 1.7-1.9, 20.10,
    /// 23.x and 26.x daemons run inside containers.
    package static let known: [BenignErrorPattern] = [
        // Networking set-up inside an outer container, where /proc/sys is read-only.
        BenignErrorPattern(
            name: "ipv6-forwarding-readonly",
            pattern: #"^failed to disable IPv6 forwarding for container's interface "#,
            reason:
                "Docker 20.10 tries to write /proc/sys/net/ipv6/... for every container it starts; inside an unprivileged or emulated-privileged outer container /proc/sys is read-only, so it logs this and goes on. The container starts normally."
        ),
        // Storage-driver probing (20.10-26.x log one error per driver tried).
        BenignErrorPattern(
            name: "overlay-probe",
            pattern: #"^failed to mount overlay: "#,
            reason:
                "The daemon probes overlay2 and overlay; inside a container on overlayfs the mount fails and the daemon falls back to another driver. If no driver works, a fatal line follows."
        ),
        BenignErrorPattern(
            name: "overlay-unsupported",
            pattern: #"^'overlay2?' (not found as a supported filesystem|is not supported over )"#,
            reason:
                "Logged while probing storage drivers when the kernel lacks overlay or the backing filesystem is itself overlayfs; the daemon falls back."
        ),
        BenignErrorPattern(
            name: "aufs-probe",
            pattern: #"^AUFS (was not found in /proc/filesystems|cannot be used in non-init user namespace)"#,
            reason: "Logged while probing storage drivers on kernels without aufs; the daemon falls back."),
        BenignErrorPattern(
            name: "fuse-overlayfs-probe",
            pattern: #"exec: "fuse-overlayfs": executable file not found"#,
            reason: "Logged while probing storage drivers when fuse-overlayfs is not installed; the daemon falls back."),
        BenignErrorPattern(
            name: "builtin-driver-probe",
            pattern: #"^Failed to built-in GetDriver graph "#,
            reason: "20.10 logs this for devicemapper, btrfs or zfs while probing; the daemon falls back."),
        BenignErrorPattern(
            name: "auplink-missing",
            pattern: #"^Couldn't run auplink before unmount"#,
            reason: "docker:dind images of the 1.11-1.12 era ship without auplink; the unmount proceeds without it."),
        // containerd (embedded in dockerd since 17.x) skips plugins it cannot use.
        BenignErrorPattern(
            name: "containerd-plugin-skip",
            pattern:
                #"skip plugin|^failed to load plugin io\.containerd\.|^could not use snapshotter \S+ in metadata plugin"#,
            reason:
                "containerd tries every snapshotter and plugin it was built with (btrfs, zfs, devmapper, aufs, ...) and skips those the host cannot support."
        ),
        // Sysctls that do not exist in a container's network namespace.
        BenignErrorPattern(
            name: "kernel-parameter",
            pattern: #"^error reading the kernel parameter "#,
            reason:
                "libnetwork reads IPVS sysctls that do not exist without the ip_vs module or in a container; it continues without them."
        ),
        // Consequences, logged after the error that caused them.
        BenignErrorPattern(
            name: "closed-fifo",
            pattern: #"^stream copy error: reading from a closed fifo"#,
            reason:
                "Logged whenever a container's stdio FIFOs close, including after every failed start: a consequence, never a cause."
        ),
        BenignErrorPattern(
            name: "copy-shim-log",
            pattern: #"^copy shim log"#,
            reason:
                "containerd logs this when a shim whose task failed to start closes its log pipe (`read /proc/self/fd/N: file already closed`); the runtime's own error, which `docker run` prints, says why."
        ),
        BenignErrorPattern(
            name: "containerd-cleanup",
            pattern: #"cleanup: failed to delete container from containerd: no such container"#,
            reason:
                "Logged while cleaning up after a container failed to start; the line that says why it failed follows."),
        BenignErrorPattern(
            name: "shim-log-closed",
            pattern: #"^copy shim log\b.*file already closed"#,
            reason:
                "containerd logs this when a shim whose task could not be created goes away (e.g. runc refused the container's cgroup configuration); the handler's error line that says why follows."
        ),
        BenignErrorPattern(
            name: "client-wait-cancelled",
            pattern: #"^error waiting for container: context canceled"#,
            reason:
                "The docker client logs this after `docker run` has already printed why the container did not start."),
    ]
}
