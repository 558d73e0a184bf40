import Foundation

/// What the host looks like where the engine's isolation depends on it.
struct HostFacts: Sendable, Hashable {
    var etcDockerExists: Bool
    var varLibDockerExists: Bool
    /// /var/run is its own directory rather than the usual symlink to /run.
    var varRunIsSeparateDirectory: Bool
    /// The mounts of dindlab's own mount namespace, which the engine's namespace starts as a copy of.
    var mounts: [MountEntry]

    static func current() -> HostFacts {
        let manager = FileManager.default
        let varRunIsLink = (try? manager.destinationOfSymbolicLink(atPath: "/var/run")) != nil
        return HostFacts(
            etcDockerExists: manager.fileExists(atPath: "/etc/docker"),
            varLibDockerExists: manager.fileExists(atPath: "/var/lib/docker"),
            varRunIsSeparateDirectory: !varRunIsLink && manager.fileExists(atPath: "/var/run"),
            mounts: MountTable.read())
    }
}

/// A host path replaced inside the engine's mount namespace.
struct Shadow: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// An empty tmpfs hides everything the host has there.
        case emptyTmpfs
        /// A copy-on-write overlay: the host's files stay readable, writes stay in the namespace.
        /// Used when the path a daemon hard-codes does not exist on the host, since creating a
        /// mount point for it would itself change the host.
        case overlay
    }

    var target: String
    var kind: Kind
    /// Mounts below `target` that must stay visible through the overlay (e.g. /etc/resolv.conf
    /// bind-mounted into a container dindlab runs in), outermost only.
    var keptMounts: [String] = []
}

/// Writes the launcher script that starts a daemon isolated from the host.
///
/// Daemons of the 1.7–1.9 era hard-code host paths (/etc/docker/key.json, /var/run/docker,
/// /var/lib/docker/network/files), and even with --iptables=false Docker 1.9.1 deletes the
/// host's nat DOCKER chain at start. So the daemon gets its own mount namespace, in which
/// /run, /etc/docker and /var/lib/docker are replaced, and its own network namespace, whose
/// iptables it may change at will. Propagation is private, so no mount the daemon makes
/// (overlay layers, shm, its data root) ever shows up on the host.
///
/// The launcher never forks: `sh` (joins cgroups) execs `unshare`, which execs `sh` again
/// (sets up the mounts), which execs the daemon, so the pid `up` spawned is the daemon's pid.
enum NamespaceLauncher {
    static let insideMarker = "--in-namespaces"

    /// The host paths the engine's namespace replaces, given what exists on the host.
    static func shadows(for facts: HostFacts) -> [Shadow] {
        var shadows = [Shadow(target: "/run", kind: .emptyTmpfs)]
        if facts.varRunIsSeparateDirectory {
            shadows.append(Shadow(target: "/var/run", kind: .emptyTmpfs))
        }
        for (path, parent, exists) in [
            ("/etc/docker", "/etc", facts.etcDockerExists),
            ("/var/lib/docker", "/var/lib", facts.varLibDockerExists),
        ] {
            if exists {
                shadows.append(Shadow(target: path, kind: .emptyTmpfs))
            } else {
                shadows.append(
                    Shadow(target: parent, kind: .overlay, keptMounts: outermostMounts(below: parent, in: facts.mounts))
                )
            }
        }
        return shadows
    }

    /// Refuses engine directories the shadows would hide (the daemon's socket would vanish from
    /// the host's view) or that contain a shadowed path.
    ///
    /// - Throws: `PrivateEngineError` (`.directoryNotUsable`).
    static func checkDirectory(_ layout: EngineLayout, against shadows: [Shadow]) throws {
        let directory = layout.directory
        if let shadow = shadows.first(where: {
            MountTable.path(directory, isWithin: $0.target) || MountTable.path($0.target, isWithin: directory)
        }) {
            throw PrivateEngineError(
                .directoryNotUsable,
                "The engine directory \(directory) cannot be used: inside the engine's mount namespace \(shadow.target) is replaced (so the daemon cannot touch the host's), and the engine directory must lie outside every replaced path (\(shadows.map(\.target).joined(separator: ", "))).",
                remedy: .directory("elsewhere, e.g. under /tmp or your home")
            )
        }
        if let bad = directory.first(where: { ",:\n".contains($0) }) {
            throw PrivateEngineError(
                .directoryNotUsable,
                "The engine directory \(directory) contains \"\(bad)\", which cannot appear in overlay mount options.",
                remedy: .directory("a path without ',', ':' or newlines")
            )
        }
    }

    /// The launcher script. It is run as `sh SCRIPT DAEMON-ARGV...`.
    ///
    /// - Parameters:
    ///   - name: The engine's name, for the header comment.
    ///   - layout: The engine's directories.
    ///   - unshare: The absolute path of util-linux `unshare`.
    ///   - cgroupProcsFiles: cgroup.procs files to join before anything else.
    ///   - shadows: The host paths to replace (see `shadows(for:)`).
    ///   - simulatedCgroupV2: Give the daemon a cgroup namespace (rooted in the last cgroup
    ///     joined) and the unified hierarchy at /sys/fs/cgroup instead of the host's v1 mounts
    ///     (see `CgroupVersionSetup`).
    /// - Returns: The script text.
    static func script(
        name: String, layout: EngineLayout, unshare: String, cgroupProcsFiles: [String], shadows: [Shadow],
        simulatedCgroupV2: Bool = false
    ) -> String {
        let scratch = layout.namespaceScratch
        var lines = [
            "#!/bin/sh",
            "# Launcher of the dindlab private engine \(name); written again each time the engine starts.",
            "# Phase 1 runs on the host, phase 2 in the engine's own mount and network namespaces;",
            "# each phase execs the next, so this process becomes the daemon under the same pid.",
            "set -eu",
            "if [ \"${1-}\" != \(insideMarker) ]; then",
        ]
        if !cgroupProcsFiles.isEmpty {
            lines.append("    # Join the requested cgroups first: everything the daemon starts is born in them.")
            lines += cgroupProcsFiles.map { "    echo $$ > \(shellQuoted($0))" }
        }
        lines += [
            "    exec \(shellQuoted(unshare)) --mount --net\(simulatedCgroupV2 ? " --cgroup" : "") --propagation private -- /bin/sh \"$0\" \(insideMarker) \"$@\"",
            "fi",
            "shift",
            "# The new network namespace has only a loopback device, and it stays down: the API is a",
            "# unix socket, which lives in the file system, not in a network namespace; containers get",
            "# network none. Nothing here can reach the host's network or change its iptables.",
            "# mount -n: util-linux must not record these mounts in the host's /run/mount/utab.",
        ]
        // Empty tmpfs shadows first (/run above all), so nothing below can write to the host's.
        let ordered = shadows.filter { $0.kind == .emptyTmpfs } + shadows.filter { $0.kind == .overlay }
        for shadow in ordered where shadow.kind == .emptyTmpfs {
            lines.append("mount -n -t tmpfs -o mode=0755 dindlab-shadow \(shellQuoted(shadow.target))")
        }
        lines += [
            "# A private tmpfs for scratch space; its mount point also marks the engine's processes.",
            "mount -n -t tmpfs -o mode=0700 dindlab-scratch \(shellQuoted(scratch))",
        ]
        for shadow in ordered where shadow.kind == .overlay {
            let base = scratch + "/overlay" + shadow.target
            let (upper, work, merged) = (base + "/upper", base + "/work", base + "/merged")
            lines.append("mkdir -p \(shellQuoted(upper)) \(shellQuoted(work)) \(shellQuoted(merged))")
            lines.append(
                "mount -n -t overlay -o \(shellQuoted("lowerdir=\(shadow.target),upperdir=\(upper),workdir=\(work)")) dindlab-overlay \(shellQuoted(merged))"
            )
            for kept in shadow.keptMounts {
                let relative = String(kept.dropFirst(shadow.target.count))
                lines.append("mount -n --rbind \(shellQuoted(kept)) \(shellQuoted(merged + relative))")
            }
            lines.append("mount -n --move \(shellQuoted(merged)) \(shellQuoted(shadow.target))")
        }
        if simulatedCgroupV2 {
            lines += [
                "# A simulated cgroup v2 host: the v1 tmpfs and its hierarchies go (in this namespace only),",
                "# the unified hierarchy takes their place, seen from the daemon's own cgroup namespace.",
                "umount -n -R /sys/fs/cgroup",
                "mount -n -t cgroup2 cgroup2 /sys/fs/cgroup",
            ]
        }
        lines.append("exec \"$@\"")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Mount points strictly below `directory` that are not themselves below another such mount.
    static func outermostMounts(below directory: String, in mounts: [MountEntry]) -> [String] {
        let below = Set(mounts.map(\.mountPoint).filter { $0 != directory && MountTable.path($0, isWithin: directory) })
        return below.filter { candidate in
            !below.contains { other in other != candidate && MountTable.path(candidate, isWithin: other) }
        }.sorted()
    }

    /// Quotes a string for sh: single quotes, with embedded single quotes spelled '\''.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
