import DockerEngine
import Foundation

/// What a daemon on this machine sees at /sys/fs/cgroup, read through `/proc/<pid>`: the
/// cgroup version, the controllers it can hand to containers, and whether its cgroup v2 is
/// simulated (dindlab's `engine up --cgroup-version 2` on a v1 or hybrid host).
struct DaemonCgroupView: Sendable, Hashable {
    var version: CgroupVersion
    /// v2: the controllers in the root's cgroup.controllers (as the daemon's mount shows it);
    /// v1: the controllers of the mounted hierarchies.
    var controllers: [String]
    /// v2 in the daemon's mount namespace while dindlab's own /sys/fs/cgroup is v1.
    var simulated: Bool

    /// Mount options of cgroup v1 mounts that are no controllers.
    private static let nonControllerOptions: Set<String> = [
        "rw", "ro", "relatime", "noatime", "nosuid", "nodev", "noexec", "clone_children", "noprefix",
        "xattr",
        "nsdelegate", "memory_recursiveprot", "favordynmods", "cpuset_v2_mode",
    ]

    /// Reads the view of a local process, or nil when its mount table is not readable.
    static func read(pid: Int32) -> DaemonCgroupView? {
        let mounts = MountTable.read(process: String(pid))
        guard let version = CgroupVersion.mounted(in: mounts) else { return nil }
        let controllers: [String]
        switch version {
        case .v2:
            let text =
                (try? String(
                    contentsOfFile: "/proc/\(pid)/root/sys/fs/cgroup/cgroup.controllers", encoding: .utf8))
                ?? ""
            controllers = text.split(whereSeparator: \.isWhitespace).map(String.init).sorted()
        case .v1:
            controllers = v1Controllers(in: mounts)
        }
        return DaemonCgroupView(
            version: version, controllers: controllers,
            simulated: version == .v2 && CgroupVersion.mounted(in: MountTable.read()) != .v2)
    }

    /// The controllers of the cgroup v1 hierarchies mounted below /sys/fs/cgroup.
    static func v1Controllers(in mounts: [MountEntry]) -> [String] {
        let options = mounts.filter {
            $0.fileSystemType == "cgroup" && MountTable.path($0.mountPoint, isWithin: "/sys/fs/cgroup")
        }
        .flatMap(\.superOptions)
        return Set(
            options.filter {
                !nonControllerOptions.contains($0) && !$0.hasPrefix("name=") && !$0.contains("=")
            }
        ).sorted()
    }

    /// The cgroup namespace mode the engine gives containers that ask for none: the daemon's
    /// `--default-cgroupns-mode` when its command line has one, else Docker's default
    /// (private on cgroup v2, host on v1); engines before API 1.41 have no cgroup namespaces.
    ///
    /// - Parameters:
    ///   - apiVersion: The engine's API version.
    ///   - cgroupVersion: The engine's cgroup version ("1", "2" or nil when it does not say).
    ///   - daemonArguments: The daemon's command line, when it runs on this machine.
    static func defaultNamespaceMode(
        apiVersion: APIVersion, cgroupVersion: String?, daemonArguments: [String]?
    ) -> String {
        guard apiVersion >= APIVersion(1, 41) else {
            return "host (no cgroup namespaces before API 1.41)"
        }
        let arguments = daemonArguments ?? []
        if let index = arguments.firstIndex(of: "--default-cgroupns-mode"), index + 1 < arguments.count {
            return arguments[index + 1]
        }
        if let argument = arguments.first(where: { $0.hasPrefix("--default-cgroupns-mode=") }) {
            return String(argument.dropFirst("--default-cgroupns-mode=".count))
        }
        return cgroupVersion == "2" ? "private" : "host"
    }

    /// A local process's command line, or nil when not readable.
    static func commandLine(ofProcess pid: Int32) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty
        else { return nil }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}
