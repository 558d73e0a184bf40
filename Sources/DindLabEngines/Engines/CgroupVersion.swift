import DindLabCore
import Foundation

/// The cgroup version a private engine runs with (`engine up --cgroup-version`).
package enum CgroupVersion: String, Sendable, Hashable, Codable, CaseIterable,
    CustomStringConvertible
{
    /// cgroup v1: a tmpfs at /sys/fs/cgroup with one mount per hierarchy (also the hybrid layout).
    case v1 = "1"
    /// cgroup v2: the unified hierarchy mounted at /sys/fs/cgroup.
    case v2 = "2"

    package var description: String { rawValue }

    /// Parses "1", "2", "v1" or "v2".
    package init?(argument: String) {
        let text = argument.lowercased().hasPrefix("v") ? String(argument.dropFirst()) : argument
        self.init(rawValue: text)
    }

    /// The version of the hierarchy mounted at /sys/fs/cgroup in a mount table: v2 when it is
    /// cgroup2, v1 otherwise (the tmpfs of v1 and of the hybrid layout); nil when nothing is
    /// mounted there.
    static func mounted(in mounts: [MountEntry]) -> CgroupVersion? {
        guard let entry = mounts.last(where: { $0.mountPoint == "/sys/fs/cgroup" }) else { return nil }
        return entry.fileSystemType == "cgroup2" ? .v2 : .v1
    }
}

/// How a private engine gets the cgroup version asked for.
///
/// On a v1 or hybrid host, v2 is simulated inside the engine's own namespaces: the launcher
/// joins the daemon to a cgroup of its own in the host's unified hierarchy (cgroup v2, which on
/// a hybrid host holds no resource controller, or only hugetlb), gives it a cgroup namespace
/// rooted there, unmounts the v1 tmpfs at /sys/fs/cgroup and mounts cgroup2 in its place. The
/// daemon then sees a v2 host whose root cgroup delegates no controller to its children; the
/// host's mount table and its own cgroups stay as they were, and everything the engine's
/// containers create in the unified hierarchy lives below the engine's cgroup, which `down`
/// removes.
enum CgroupVersionSetup: Sendable, Hashable {
    /// The host's own layout: nothing to change.
    case asHost(CgroupVersion)
    /// A simulated cgroup v2 host; the daemon's cgroup namespace is rooted at `root`
    /// (a placement in the unified hierarchy).
    case simulatedV2(root: CgroupPlacement)

    /// The first Docker release that runs on cgroup v2.
    static let firstV2Daemon = DaemonVersion(20, 10)

    /// Decides how to give an engine the cgroup version asked for.
    ///
    /// - Parameters:
    ///   - requested: The version asked for; nil keeps the host's.
    ///   - daemon: The daemon's version (cgroup v2 needs 20.10 or later).
    ///   - mounts: dindlab's mount table (the engine's namespace starts as a copy of it).
    ///   - placements: The `--cgroup` placements; a unified one becomes the namespace root.
    ///   - rootPath: The cgroup, in the unified hierarchy, to root a simulated v2 engine in
    ///     when no unified placement is given.
    /// - Throws: `PrivateEngineError` (`.optionUnsupported`) for v1 on a v2 host, v2 for a
    ///   daemon before 20.10, or v2 on a v1 host without a unified hierarchy.
    static func plan(
        requested: CgroupVersion?, daemon: DaemonVersion, mounts: [MountEntry],
        placements: [CgroupPlacement],
        rootPath: String
    ) throws -> CgroupVersionSetup {
        let host = CgroupVersion.mounted(in: mounts) ?? .v1
        guard let requested, requested != host else { return .asHost(host) }
        if requested == .v1 {
            throw PrivateEngineError(
                .optionUnsupported,
                "A cgroup v1 engine cannot be run on this host: its /sys/fs/cgroup is cgroup v2, and the v1 hierarchies cannot be mounted while the kernel binds the controllers to the unified hierarchy. Run the engine on a cgroup v1 host (or boot this one with systemd.unified_cgroup_hierarchy=0).",
                remedy: .hostCgroupVersion
            )
        }
        guard daemon >= firstV2Daemon else {
            throw PrivateEngineError(
                .optionUnsupported,
                "A cgroup v2 engine needs Docker 20.10 or later; Docker \(daemon) knows only cgroup v1.",
                remedy: .hostCgroupVersion
            )
        }
        guard mounts.contains(where: { $0.fileSystemType == "cgroup2" }) else {
            throw PrivateEngineError(
                .optionUnsupported,
                "A cgroup v2 engine cannot be simulated on this host: it has no cgroup2 (unified) hierarchy mounted (e.g. at /sys/fs/cgroup/unified) for the engine's cgroup namespace to be rooted in. Mount one with `mount -t cgroup2 none /sys/fs/cgroup/unified`, or run the engine on a cgroup v2 host."
            )
        }
        if let unified = placements.first(where: \.isUnified) {
            return .simulatedV2(root: unified)
        }
        return .simulatedV2(root: try CgroupPlacement(parsing: "unified:" + rootPath))
    }

    /// The version the daemon sees.
    var version: CgroupVersion {
        switch self {
        case .asHost(let version): version
        case .simulatedV2: .v2
        }
    }

    var isSimulated: Bool {
        if case .simulatedV2 = self { return true }
        return false
    }

    /// The placements to prepare: the given ones, plus the namespace root of a simulated v2
    /// engine when it is not among them.
    func placements(adding given: [CgroupPlacement]) -> [CgroupPlacement] {
        guard case .simulatedV2(let root) = self, !given.contains(root) else { return given }
        return given + [root]
    }

    /// The cgroup of the unified hierarchy a simulated v2 engine with this directory is
    /// rooted in: one per engine directory, named so a reader of the host's hierarchy knows
    /// whose it is.
    static func defaultRootPath(name: String, directory: String) -> String {
        "/dindlab-engine-\(name)-\(SHA256.hexDigest(of: Data(directory.utf8)).prefix(8))"
    }
}
