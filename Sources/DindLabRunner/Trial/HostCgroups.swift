import DindLabEngines
import DockerEngine
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The cgroup hierarchies of a local engine, as its daemon sees them, reached from this
/// machine through `/proc/<engine daemon pid>/root`: a private engine runs in its own mount
/// namespace, so its /sys/fs/cgroup may not be the one dindlab's own namespace shows.
struct EngineCgroupView: Sendable {
    /// One cgroup mount in the engine's mount namespace.
    struct Hierarchy: Sendable, Hashable {
        /// Where it is mounted in the engine's namespace, e.g. /sys/fs/cgroup/systemd.
        var mountPoint: String
        /// The cgroup the mount shows at its mount point (the mountinfo root), usually "/".
        var root: String
        /// "cgroup" (v1) or "cgroup2".
        var fileSystemType: String
        /// The super options: the controllers or `name=...` of a v1 hierarchy.
        var superOptions: [String]

        /// Whether `name` (a controller, `name=systemd`, or `unified`) names this hierarchy.
        func matches(_ name: String) -> Bool {
            if name == "unified" { return fileSystemType == "cgroup2" }
            return fileSystemType == "cgroup" && superOptions.contains(name)
        }

        /// The key of this hierarchy in /proc/<pid>/cgroup lines: "cpu,cpuacct", "name=systemd", "".
        func matchesLine(controllers: String) -> Bool {
            if fileSystemType == "cgroup2" { return controllers.isEmpty }
            return !controllers.isEmpty
                && controllers.split(separator: ",").allSatisfy { superOptions.contains(String($0)) }
        }
    }

    /// The engine daemon's pid on this machine.
    let enginePID: Int32
    let hierarchies: [Hierarchy]

    /// Reads the engine daemon's mount table.
    ///
    /// - Throws: `HostCgroupError` when the process or its mounts cannot be read.
    init(enginePID: Int32) throws(HostCgroupError) {
        self.enginePID = enginePID
        guard let text = try? String(contentsOfFile: "/proc/\(enginePID)/mountinfo", encoding: .utf8) else {
            throw HostCgroupError(
                "The mount table of the engine's daemon (pid \(enginePID), /proc/\(enginePID)/mountinfo) cannot be read; dindlab must run as root on the engine's host."
            )
        }
        hierarchies = Self.parse(text)
    }

    init(enginePID: Int32, hierarchies: [Hierarchy]) {
        self.enginePID = enginePID
        self.hierarchies = hierarchies
    }

    /// The cgroup mounts of mountinfo text.
    static func parse(_ text: String) -> [Hierarchy] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard let separator = fields.firstIndex(of: "-"), separator >= 6, separator + 3 < fields.count else {
                return nil
            }
            let type = fields[separator + 1]
            guard type == "cgroup" || type == "cgroup2" else { return nil }
            return Hierarchy(
                mountPoint: MountTable.unescape(fields[4]), root: MountTable.unescape(fields[3]), fileSystemType: type,
                superOptions: fields[separator + 3].split(separator: ",").map(String.init))
        }
    }

    /// The path through which this machine reaches a path of the engine's mount namespace.
    func hostPath(_ path: String) -> String {
        "/proc/\(enginePID)/root" + path
    }

    /// The hierarchy a scenario names.
    ///
    /// - Throws: `HostCgroupError` naming the hierarchies there are when none matches.
    func hierarchy(named name: String) throws(HostCgroupError) -> Hierarchy {
        guard let found = hierarchies.first(where: { $0.matches(name) }) else {
            let names = hierarchies.map {
                $0.fileSystemType == "cgroup2"
                    ? "unified" : $0.superOptions.filter { !Self.mountOptions.contains($0) }.joined(separator: ",")
            }
            throw HostCgroupError(
                "The engine's host has no cgroup hierarchy \(name) (daemon.cgroup-divergence); it has: \(names.joined(separator: "; "))."
            )
        }
        return found
    }

    /// The directory, reached from this machine, of the cgroup `path` (as /proc/<pid>/cgroup
    /// shows it) in `hierarchy`.
    func directory(of path: String, in hierarchy: Hierarchy) throws(HostCgroupError) -> String {
        guard MountTable.path(path, isWithin: hierarchy.root) else {
            throw HostCgroupError(
                "The cgroup \(path) lies outside the engine's mount of its hierarchy at \(hierarchy.mountPoint) (whose root is \(hierarchy.root)); dindlab cannot reach it from the engine's host."
            )
        }
        let relative = hierarchy.root == "/" ? path : String(path.dropFirst(hierarchy.root.count))
        return hostPath(hierarchy.mountPoint) + (relative == "/" ? "" : relative)
    }

    static let mountOptions: Set<String> = [
        "rw", "ro", "relatime", "nosuid", "nodev", "noexec", "noatime", "nodiratime",
    ]
}

/// Something dindlab could not do to cgroups on an engine's host.
struct HostCgroupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Every cgroup directory dindlab made (or saw its engine make for an outer container's cgroup
/// parent), counted by the trials that use it, so the last one removes it: the host's
/// hierarchies are left as dindlab found them, even with trials running at once.
actor HostCgroupLedger {
    static let shared = HostCgroupLedger()

    /// Directories dindlab owns, with the number of trials holding each.
    private var holders: [String: Int] = [:]

    /// Holds `directories` (outermost first) for a trial.
    ///
    /// A directory that does not exist is dindlab's: created now when `create` is true (a new
    /// cpuset cgroup inherits its parent's cpus and mems, or joining it fails), else expected
    /// to be created by the engine. A directory dindlab already holds is held once more. One
    /// that existed before, and is not dindlab's, is left alone.
    ///
    /// - Returns: The directories this call holds; pass them to `release`.
    /// - Throws: `HostCgroupError` when a directory cannot be created (what this call created
    ///   is removed again).
    func hold(_ directories: [String], create: Bool) throws(HostCgroupError) -> [String] {
        var held: [String] = []
        for directory in directories {
            if holders[directory] != nil {
                holders[directory, default: 0] += 1
                held.append(directory)
                continue
            }
            guard !FileManager.default.fileExists(atPath: directory) else { continue }
            if create {
                guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
                    let reason = String(cString: strerror(errno))
                    _ = releaseNow(held)
                    throw HostCgroupError("Could not create the cgroup \(directory): \(reason).")
                }
                Self.inheritCpuset(into: directory)
            }
            holders[directory] = 1
            held.append(directory)
        }
        return held
    }

    /// Lets go of directories `hold` returned; those no trial holds any more are removed,
    /// innermost first, waiting briefly for the processes of a removed container to be gone.
    ///
    /// - Returns: One sentence per directory that could not be removed.
    func release(_ directories: [String]) async -> [String] {
        var removable: [String] = []
        for directory in directories {
            guard let count = holders[directory] else { continue }
            if count > 1 {
                holders[directory] = count - 1
            } else {
                holders[directory] = nil
                removable.append(directory)
            }
        }
        var problems: [String] = []
        for directory in removable.reversed() where FileManager.default.fileExists(atPath: directory) {
            if let code = await removeCgroupDirectory(directory, attempts: 50, pause: .milliseconds(100)) {
                problems.append(
                    "Could not remove the cgroup \(directory) dindlab made: \(String(cString: strerror(code))). Remove it with rmdir once its processes are gone."
                )
            }
        }
        return problems
    }

    private func releaseNow(_ directories: [String]) -> [String] {
        for directory in directories {
            holders[directory] = nil
        }
        return CgroupSetup.removeDirectories(directories)
    }

    /// What dindlab holds now (for tests).
    var held: [String] { holders.keys.sorted() }

    private static func inheritCpuset(into directory: String) {
        let parent = (directory as NSString).deletingLastPathComponent
        for file in ["cpuset.cpus", "cpuset.mems"] {
            let target = (directory as NSString).appendingPathComponent(file)
            guard let current = try? String(contentsOfFile: target, encoding: .utf8),
                current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                let inherited = try? String(
                    contentsOfFile: (parent as NSString).appendingPathComponent(file), encoding: .utf8)
            else { continue }
            try? inherited.write(toFile: target, atomically: false, encoding: .utf8)
        }
    }
}

/// Removes an empty cgroup directory, trying again, `pause` apart and `attempts` times in all,
/// while the kernel still counts a dying process in it (EBUSY, ENOTEMPTY).
///
/// - Returns: nil once it is removed, else the errno of the last attempt (ENOENT: it was gone).
func removeCgroupDirectory(_ path: String, attempts: Int, pause: Duration) async -> Int32? {
    var failures = 0
    while rmdir(path) != 0 {
        let code = errno
        failures += 1
        guard code == EBUSY || code == ENOTEMPTY, failures < attempts else { return code }
        try? await Task.sleep(for: pause)
    }
    return nil
}

extension EngineSelection {
    /// The engine daemon's pid on this machine: a private engine's recorded pid, else the
    /// process serving its Unix socket; nil for remote engines.
    package var engineHostPID: Int32? {
        if let pid = localDaemonPID { return pid }
        if case .unix(let socket) = address.endpoint { return peerProcessID(ofSocket: socket) }
        return nil
    }
}

/// The pid of the process that serves a Unix socket on this machine (SO_PEERCRED), or nil.
func peerProcessID(ofSocket path: String) -> Int32? {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in buffer.copyBytes(from: bytes) }
    let connected = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard connected == 0 else { return nil }
    // struct ucred { pid_t pid; uid_t uid; gid_t gid; }, which Glibc's module does not export.
    var credentials: [Int32] = [0, 0, 0]
    var length = socklen_t(MemoryLayout<Int32>.size * 3)
    let status = credentials.withUnsafeMutableBytes {
        getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, $0.baseAddress, &length)
    }
    guard status == 0, credentials[0] > 0 else { return nil }
    return credentials[0]
}
